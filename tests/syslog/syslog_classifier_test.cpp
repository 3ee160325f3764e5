// Kinds and payloads for every message regwatch understands.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "agent/syslog/event_classifier.h"
#include "agent/syslog/interface_names.h"
#include "agent/syslog/phone_trust_lines.h"
#include "agent/syslog/syslog_parser.h"
#include "agent/syslog/utf8_sanitize.h"
#include "common/event_kind.h"

namespace regwatch::agent::syslog {
namespace {

v1::Event parse(std::string_view line) {
  LineContext c;
  c.receive_time_us = c.reference_time_us = 1'795'435'200'000'000;
  return parse_syslog_line(line, c).event;
}

TEST(SyslogClassifier, EndPointUnregisteredWithTags) {
  auto e = parse(
      "<187>41679: uc-ucm-01.pcce.local: Jul 02 2015 06:22:31.454 UTC: "
      "%UC_CALLMANAGER-3-EndPointUnregistered: "
      "%[DeviceName=SEPE0D1730A8137][IPAddress=10.60.98.210]"
      "[Protocol=SIP][DeviceType=592][Description=Phone][Reason=13][IPAddrAttributes=0]"
      "[LastSignalReceived=SIPStationDPrimaryLineTimeout][AppID=Cisco CallManager]"
      "[ClusterID=StandAloneCluster][NodeID=uc-ucm-01]: An endpoint has unregistered");
  ASSERT_EQ(e.kind(), v1::PHONE_UNREGISTERED);
  const auto& p = e.phone();
  EXPECT_EQ(p.device_name(), "SEPE0D1730A8137");
  EXPECT_EQ(p.mac(), "e0:d1:73:0a:81:37");
  EXPECT_EQ(p.ip(), "10.60.98.210");
  EXPECT_EQ(p.protocol(), "SIP");
  EXPECT_EQ(p.device_type(), 592u);
  EXPECT_EQ(p.device_type_name(), "");  // unknown code kept as a number
  EXPECT_EQ(p.description(), "Phone");
  EXPECT_EQ(p.reason_code(), 13);
  EXPECT_EQ(p.reason(), "KeepAliveTimeout");
  EXPECT_EQ(p.last_signal(), "SIPStationDPrimaryLineTimeout");
  EXPECT_EQ(p.cm_node(), "uc-ucm-01");
  EXPECT_EQ(p.cluster(), "StandAloneCluster");
  EXPECT_EQ(p.alarm(), "EndPointUnregistered");
  EXPECT_EQ(e.syslog().tags_size(), 11);
}

TEST(SyslogClassifier, TagsInAnyOrderWithEscapes) {
  auto e = parse(
      "<187>1: ucm: Jul 02 2015 06:22:31.454 UTC: %UC_CALLMANAGER-3-EndPointUnregistered: "
      "%[Reason=6][Description=Desk \\[3rd floor\\]][DeviceName=SEP0017943A98BA]: x");
  EXPECT_EQ(e.phone().device_name(), "SEP0017943A98BA");
  EXPECT_EQ(e.phone().description(), "Desk [3rd floor]");
  EXPECT_EQ(e.phone().reason(), "ConnectivityError");
}

TEST(SyslogClassifier, OldCcmLabelledBody) {
  auto e = parse(
      "%CCM_CALLMANAGER-CALLMANAGER-3-DeviceUnregistered: Device unregistered. Device "
      "name.:SEP000B5F327F9A "
      "Device IP address.:x.x.x.x Protocol.:SCCP Device type. [Optional]:8 Device description "
      "[Optional].:xyz Reason Code [Optional].:12");
  ASSERT_EQ(e.kind(), v1::PHONE_UNREGISTERED);
  EXPECT_EQ(e.syslog().app(), "CCM_CALLMANAGER-CALLMANAGER");
  EXPECT_EQ(e.phone().device_name(), "SEP000B5F327F9A");
  EXPECT_EQ(e.phone().ip(), "x.x.x.x");
  EXPECT_EQ(e.phone().protocol(), "SCCP");
  EXPECT_EQ(e.phone().device_type(), 8u);
  EXPECT_EQ(e.phone().device_type_name(), "CISCO_7940");
  EXPECT_EQ(e.phone().description(), "xyz");
  EXPECT_EQ(e.phone().reason_code(), 12);
  EXPECT_EQ(e.phone().reason(), "SCCPDeviceThrottling");
}

TEST(SyslogClassifier, RegisteredAndTransientConnection) {
  auto e = parse(
      "<190>1: ucm: Nov 20 2026 09:04:00.797 UTC: %UC_CALLMANAGER-6-EndPointRegistered: "
      "%[DeviceName=SEP00179479D67F][Protocol=SCCP][NodeID=ucm-pub]: Endpoint registered");
  EXPECT_EQ(e.kind(), v1::PHONE_REGISTERED);
  EXPECT_FALSE(e.phone().has_reason_code());
  e = parse(
      "<187>1: ucm: Nov 20 2026 09:19:00.078 UTC: %UC_CALLMANAGER-3-EndPointTransientConnection: "
      "%[ConnectingPort=2000][DeviceName=SEPABCDEF123456][IPAddress=10.20.40.7][DeviceType=115]["
      "Reason=13]"
      "[Protocol=SCCP]: Transient connection attempted");
  EXPECT_EQ(e.kind(), v1::PHONE_REGISTRATION_FAILED);
  EXPECT_EQ(e.phone().reason(),
            "DirectoryNumberMismatch");  // the transient table, not the unregistration one
  EXPECT_EQ(e.phone().connecting_port(), 2000u);
  EXPECT_EQ(e.phone().device_type_name(), "CISCO_7941");
}

TEST(SyslogClassifier, RtmtAlerts) {
  auto e = parse(
      "<186>1: ucm-sub1: Nov 20 2026 09:14:00.875 UTC: %UC_RTMT-2-RTMT_ALERT: "
      "%[AlertName=CallProcessingNodeCpuPegging][AlertDetail= Processor load over configured "
      "threshold . "
      "Configured high threshold is 90 % ; ucm-sub1: CPU 100 %][ClusterID=PROD][NodeID=ucm-sub1]: "
      "RTMT Alert");
  ASSERT_EQ(e.kind(), v1::CPU_PEGGING);
  EXPECT_EQ(e.rtmt_alert().alert_name(), "CallProcessingNodeCpuPegging");
  EXPECT_EQ(e.rtmt_alert().node(), "ucm-sub1");
  EXPECT_DOUBLE_EQ(e.rtmt_alert().value(), 100);
  e = parse(
      "<186>1: ucm: Nov 20 2026 09:14:00.875 UTC: %UC_RTMT-2-RTMT_ALERT: "
      "%[AlertName=NumberOfRegisteredPhonesDropped]"
      "[AlertDetail=dropped 12 %]: RTMT Alert");
  EXPECT_EQ(e.kind(), v1::RTMT_ALERT);
  EXPECT_EQ(e.rtmt_alert().alert_name(), "NumberOfRegisteredPhonesDropped");
  e = parse(
      "<186>1: ucm: Nov 20 2026 09:14:00.875 UTC: %UC_RTMT-2-RTMT_ALERT: %[AlertName=CodeYellow]: "
      "RTMT Alert");
  EXPECT_EQ(e.kind(), v1::CODE_YELLOW);
  e = parse(
      "<186>1: ucm: Nov 20 2026 09:14:00.875 UTC: %UC_CALLMANAGER-2-CodeYellowEntry: "
      "%[NodeID=ucm-sub1]: entered");
  EXPECT_EQ(e.kind(), v1::CODE_YELLOW);
  EXPECT_EQ(e.rtmt_alert().node(), "ucm-sub1");
}

TEST(SyslogClassifier, HeartbeatLow) {
  auto e = parse(
      "<188>1: ucm-sub1: Nov 20 2026 09:14:12.308 UTC: "
      "%UC_CALLMANAGER-4-LowCallManagerHeartbeatRate: "
      "%[NodeID=ucm-sub1]: Call Manager heartbeat rate below 24 beats per minute. Current "
      "heartbeat rate "
      "is 19 beats per minute.");
  ASSERT_EQ(e.kind(), v1::HEARTBEAT_LOW);
  EXPECT_DOUBLE_EQ(e.heartbeat().rate_per_minute(), 19);
  EXPECT_DOUBLE_EQ(e.heartbeat().threshold_per_minute(), 24);
  EXPECT_EQ(e.heartbeat().service(), "CallManager");
  EXPECT_EQ(e.heartbeat().node(), "ucm-sub1");
}

TEST(SyslogClassifier, SwitchMessages) {
  auto e = parse(
      "<187>343: .Sep 21 09:22:01.678: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed "
      "state to down");
  ASSERT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().interface(), "GigabitEthernet1/0/12");
  EXPECT_FALSE(e.interface().line_protocol());
  e = parse(
      "<189>344: .Sep 21 09:22:02.684: %LINEPROTO-5-UPDOWN: Line protocol on Interface "
      "GigabitEthernet1/0/12, changed state to up");
  ASSERT_EQ(e.kind(), v1::LINK_UP);
  EXPECT_TRUE(e.interface().line_protocol());
  e = parse(
      "<189>1: .Sep 21 09:22:02.684: %LINK-5-CHANGED: Interface Vlan500, changed state to "
      "administratively down");
  EXPECT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().state(), "administratively down");
  e = parse(
      "<188>1: Sep 21 2026 09:22:02: %PM-4-ERR_DISABLE: bpduguard error detected on Gi1/0/9, "
      "putting Gi1/0/9 in err-disable state");
  EXPECT_EQ(e.kind(), v1::ERR_DISABLED);
  EXPECT_EQ(e.interface().cause(), "bpduguard");
  e = parse(
      "<189>1: Sep 21 2026 09:22:02: %ILPOWER-5-IEEE_DISCONNECT: Interface Gi1/0/12: PD removed");
  EXPECT_EQ(e.kind(), v1::POE_REMOVED);
  EXPECT_EQ(e.interface().interface(), "Gi1/0/12");
  e = parse(
      "<187>1: Sep 21 2026 09:22:02: %ILPOWER-3-CONTROLLER_PORT_ERR: Controller port error, "
      "Interface Gi1/0/3");
  EXPECT_EQ(e.kind(), v1::POE_FAULT);
  e = parse(
      "<189>1: Sep 21 2026 09:22:02: %ILPOWER-5-POWER_GRANTED: Interface Fa1/0/47: Power granted");
  EXPECT_EQ(e.kind(), v1::SYSLOG_OTHER);
  e = parse(
      "<188>1: Sep 21 2026 09:22:02: %STACKMGR-4-SWITCH_REMOVED: Switch 2 has been removed from "
      "the stack");
  EXPECT_EQ(e.kind(), v1::STACK_MEMBER_REMOVED);
  EXPECT_EQ(e.stack_member().member(), 2u);
  e = parse(
      "<188>1: Sep 21 2026 09:22:02: %SW_MATM-4-MACFLAP_NOTIF: Host f03a.b216.7ad7 in vlan 10 is "
      "flapping between port Gi0/5 and port Gi0/15");
  EXPECT_EQ(e.kind(), v1::MAC_FLAP);
  EXPECT_EQ(e.mac_flap().mac(), "f03a.b216.7ad7");
  EXPECT_EQ(e.mac_flap().vlan(), 10u);
  EXPECT_EQ(e.mac_flap().from_port(), "Gi0/5");
  EXPECT_EQ(e.mac_flap().to_port(), "Gi0/15");
  e = parse(
      "<188>123456: Jul 17 04:36:01.993: %CDP-4-NATIVE_VLAN_MISMATCH: Native VLAN mismatch "
      "discovered on "
      "GigabitEthernet0/43 (503), with Switch GigabitEthernet1/0/24 (1).");
  EXPECT_EQ(e.kind(), v1::NATIVE_VLAN_MISMATCH);
  EXPECT_EQ(e.native_vlan_mismatch().local_interface(), "GigabitEthernet0/43");
  EXPECT_EQ(e.native_vlan_mismatch().local_vlan(), 503u);
  EXPECT_EQ(e.native_vlan_mismatch().remote_device(), "Switch");
  EXPECT_EQ(e.native_vlan_mismatch().remote_interface(), "GigabitEthernet1/0/24");
  EXPECT_EQ(e.native_vlan_mismatch().remote_vlan(), 1u);
}

// Phone-side trust failures (agent/syslog/phone_trust_lines.h). The seed line is an 8945's
// Status Message after it kept another cluster's ITL.
constexpr std::string_view kSeedLine =
    "invalid file SEPABCDEF123456.cnf.xml.sgn, authenticated fail. Reason:14.";

TEST(SyslogClassifier, PhoneRefusingItsSignedConfig) {
  for (const std::string prefix :
       {"<187>Nov 20 14:00:01 10.27.4.21 ", "Nov 20 14:00:01 10.27.4.21 ",
        "<187>1 2026-11-20T14:00:01.412Z 10.27.4.21 - - - - ",
        "10.27.4.21: ", "<187>10.27.4.21 "}) {
    SCOPED_TRACE(prefix);
    const auto parsed = [&] {
      LineContext c;
      c.receive_time_us = c.reference_time_us = 1'795'435'200'000'000;
      return parse_syslog_line(prefix + std::string(kSeedLine), c);
    }();
    const auto& e = parsed.event;
    ASSERT_EQ(e.kind(), v1::PHONE_AUTH_FAILED);
    EXPECT_TRUE(parsed.recognised);
    const auto& p = e.phone();
    EXPECT_EQ(p.device_name(), "SEPABCDEF123456");  // from the file it refused
    EXPECT_EQ(p.mac(), "ab:cd:ef:12:34:56");
    EXPECT_EQ(p.ip(), "10.27.4.21");
    EXPECT_EQ(p.alarm(), "FileAuthFail");
    EXPECT_NE(p.reason().find("could not authenticate SEPABCDEF123456.cnf.xml.sgn"),
              std::string::npos)
        << p.reason();
    EXPECT_NE(p.reason().find(kSeedLine), std::string::npos) << p.reason();  // its "Reason:14" kept
    EXPECT_FALSE(p.has_reason_code());  // the phone's 14 is not CUCM's table
  }
  EXPECT_EQ(kind_name(v1::PHONE_AUTH_FAILED), "phone_auth_failed");
}

TEST(SyslogClassifier, PhoneTrustFailureWordings) {
  // Any case; the host may be the phone's name (its device then comes from there).
  auto e = parse(
      "<187>Nov 20 14:00:01 sep0024c4b20005 INVALID FILE SEP0024C4B20005.CNF.XML.SGN, "
      "AUTHENTICATED FAIL. REASON:14.");
  ASSERT_EQ(e.kind(), v1::PHONE_AUTH_FAILED);
  EXPECT_EQ(e.phone().device_name(), "SEP0024C4B20005");
  EXPECT_EQ(e.phone().ip(), "");
  e = parse("<187>Nov 20 14:00:01 SEP0024C4B20006 Trust List update failed, verification failure");
  ASSERT_EQ(e.kind(), v1::PHONE_AUTH_FAILED);
  EXPECT_EQ(e.phone().device_name(), "SEP0024C4B20006");
  EXPECT_EQ(e.phone().mac(), "00:24:c4:b2:00:06");
  EXPECT_EQ(e.phone().alarm(), "TrustListUpdateFailed");
  EXPECT_NE(e.phone().reason().find("trust list (ITL/CTL)"), std::string::npos);
  e = parse("<187>Nov 20 14:00:01 10.27.4.30 CTL update failed");
  ASSERT_EQ(e.kind(), v1::PHONE_AUTH_FAILED);
  EXPECT_EQ(e.phone().alarm(), "CTLUpdateFailed");
  EXPECT_EQ(e.phone().ip(), "10.27.4.30");
  EXPECT_EQ(e.phone().device_name(), "");  // an address names no device
  // "File auth error: <file>": the BSD "tag:" guess must not cut the words before the colon.
  e = parse("<187>Nov 20 14:00:01 SEP0024C4B20007 File auth error: SEP0024C4B20007.cnf.xml.sgn");
  ASSERT_EQ(e.kind(), v1::PHONE_AUTH_FAILED);
  EXPECT_EQ(e.phone().alarm(), "FileAuthFail");
  EXPECT_NE(e.phone().reason().find("File auth error"), std::string::npos) << e.phone().reason();
  // A firmware load refused the same way; the device then comes from the host.
  e = parse("SEP0024C4B20008: Auth Fail term41.default.loads");
  ASSERT_EQ(e.kind(), v1::PHONE_AUTH_FAILED);
  EXPECT_EQ(e.phone().device_name(), "SEP0024C4B20008");
  EXPECT_NE(e.phone().reason().find("term41.default.loads"), std::string::npos);
  // Inside a Cisco-style message that nothing else classifies.
  e = parse(
      "<187>12: relay: Nov 20 2026 14:00:01.000 UTC: %PHONE-3-STATUS: SEP0024C4B20009.cnf.xml.sgn "
      "authentication failed");
  ASSERT_EQ(e.kind(), v1::PHONE_AUTH_FAILED);
  EXPECT_EQ(e.phone().device_name(), "SEP0024C4B20009");
}

TEST(SyslogClassifier, PhoneTrustFailureWithoutDeviceIsKept) {
  const auto e = parse("<187>Nov 20 14:00:01 tftp-relay Trust List update failed");
  ASSERT_EQ(e.kind(), v1::PHONE_AUTH_FAILED);
  EXPECT_EQ(e.phone().device_name(), "");
  EXPECT_EQ(e.phone().mac(), "");
  EXPECT_EQ(e.phone().ip(), "");
  EXPECT_EQ(e.origin(), "tftp-relay");
  EXPECT_FALSE(e.raw().empty());
}

TEST(SyslogClassifier, NotPhoneTrustFailures) {
  for (const char* line : {
           // Informational status messages of the same table.
           "<190>Nov 20 14:00:01 10.27.4.21 No Trust List installed",
           "<190>Nov 20 14:00:01 10.27.4.21 Trust List updated",
           "<190>Nov 20 14:00:01 10.27.4.21 CTL and ITL installed",
           "<190>Nov 20 14:00:01 10.27.4.21 Erasing CTL and ITL files",
           "<190>Nov 20 14:00:01 10.27.4.21 SEP0024C4B20001.cnf.xml.sgn",
           // A wireless phone refused by its access point: no file, no trust list.
           "<187>Nov 20 14:00:01 10.27.4.21 Auth Failed 00:1b:d4:5e:21:07",
           // Logins failing are not phones failing to trust their config.
           "<188>327: Apr 20 12:56:35.697 NZST: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: "
           "theitteam] "
           "[Source: 192.168.56.112] [localport: 22] [Reason: Login Authentication Failed] at "
           "12:56:35 NZST "
           "Wed Apr 20 2016",
           "<38>Nov 20 14:00:01 jump sshd[812]: pam_unix(sshd:auth): authentication failure; "
           "rhost=10.1.1.1",
           "<187>Nov 20 14:00:01 10.27.4.21 TFTP timeout",
       }) {
    EXPECT_NE(parse(line).kind(), v1::PHONE_AUTH_FAILED) << line;
  }
}

TEST(SyslogClassifier, PhoneTrustScanStopsAtItsLimit) {
  // The failure is read in the first kMaxTrustScanBytes of the message, and not past them.
  const std::string header = "<187>Nov 20 14:00:01 10.27.4.21 ";
  const std::string phrase = "Trust List update failed";
  const std::string at_limit =
      std::string(kMaxTrustScanBytes - phrase.size() - 1, 'x') + " " + phrase;
  ASSERT_EQ(at_limit.size(), kMaxTrustScanBytes);
  EXPECT_EQ(parse(header + at_limit).kind(), v1::PHONE_AUTH_FAILED);
  EXPECT_EQ(parse(header + "x" + at_limit).kind(), v1::SYSLOG_OTHER);
}

TEST(SyslogClassifier, PhoneTrustScanLimitNeverCutsACharacter) {
  // A two-byte character straddling the scan limit: the phone's words kept in the event stop
  // before it, and the event still serialises (found by syslog_parser_fuzz).
  const std::string header = "<187>Nov 20 14:00:01 10.27.4.21 ";
  const std::string phrase = "Trust List update failed ";
  std::string text = phrase + std::string(kMaxTrustScanBytes - phrase.size() - 1, 'x');
  text += "\xc3\xa9 and more";  // "e acute" at bytes 1023-1024
  const v1::Event e = parse(header + text);
  ASSERT_EQ(e.kind(), v1::PHONE_AUTH_FAILED);
  const std::string& reason = e.phone().reason();
  EXPECT_NE(reason.back(), '\xc3') << "a character cut in two";
  EXPECT_EQ(reason.substr(reason.size() - 3), "xxx");
  std::string bytes;
  ASSERT_TRUE(e.SerializeToString(&bytes));
  v1::Event back;
  EXPECT_TRUE(back.ParseFromString(bytes));
}

TEST(Utf8Prefix, StopsAtACharacterBoundary) {
  const std::string text = "ab\xe2\x82\xac";  // "ab" and the euro sign (3 bytes)
  EXPECT_EQ(utf8_prefix(text, 10), text);
  EXPECT_EQ(utf8_prefix(text, 5), text);
  EXPECT_EQ(utf8_prefix(text, 4), "ab");
  EXPECT_EQ(utf8_prefix(text, 3), "ab");
  EXPECT_EQ(utf8_prefix(text, 2), "ab");
  EXPECT_EQ(utf8_prefix(text, 0), "");
}

// Classifies the parts the header layer hands over, so these tests do not depend on how a
// platform's header is read.
v1::Event classify(std::string_view app, std::string_view mnemonic, std::string_view text,
                   const Tags& tags = {}) {
  v1::Event event;
  classify_message(MessageParts{app, mnemonic, tags, text}, event);
  return event;
}

// NX-OS (the switches CUCM servers on UCS hang off): lines from the real-world corpus.
TEST(SyslogClassifier, NxosIfDownIsLinkDownWithItsCause) {
  auto e =
      classify("ETHPORT", "IF_DOWN_LINK_FAILURE", "Interface Ethernet1/33 is down (Link failure)");
  ASSERT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().interface(), "Ethernet1/33");
  EXPECT_EQ(e.interface().state(), "down");
  EXPECT_EQ(e.interface().cause(), "Link failure");
  EXPECT_EQ(e.syslog().interface(), "Ethernet1/33");

  e = classify("ETHPORT", "IF_DOWN_ERROR_DISABLED",
               "Interface Ethernet1/3 is down (Error disabled. Reason:Received REINIT_NO_FLAP "
               "request)");
  ASSERT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().interface(), "Ethernet1/3");
  EXPECT_EQ(e.interface().cause(), "Error disabled. Reason:Received REINIT_NO_FLAP request");

  e = classify("ETHPORT", "IF_DOWN_ADMIN_DOWN",
               "Interface Ethernet1/7 is down (Administratively down)");
  ASSERT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().state(), "administratively down");

  e = classify("ETHPORT", "IF_DOWN_PORT_CHANNEL_MEMBERS_DOWN",
               "Interface port-channel10 is down (No operational members)");
  ASSERT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().interface(), "port-channel10");
}

TEST(SyslogClassifier, NxosIfUpIsLinkUp) {
  auto e = classify("ETHPORT", "IF_UP", "Interface Ethernet1/33 is up in mode trunk");
  ASSERT_EQ(e.kind(), v1::LINK_UP);
  EXPECT_EQ(e.interface().interface(), "Ethernet1/33");
  EXPECT_EQ(e.interface().state(), "up");
  EXPECT_EQ(e.interface().cause(), "");
}

TEST(SyslogClassifier, NxosEthportLinesThatAreNoStateChangeStayUntypedButNameThePort) {
  auto e = classify("ETHPORT", "IF_DUPLEX",
                    "Interface Ethernet1/33, operational duplex mode changed to Full");
  EXPECT_EQ(e.kind(), v1::SYSLOG_OTHER);
  EXPECT_EQ(e.syslog().interface(), "Ethernet1/33");
}

// IOS-XR, as the header layer hands it over once it reads "%PKT_INFRA-LINK-3-UPDOWN : ...".
TEST(SyslogClassifier, IosXrLinkAndLineProtocolUpDown) {
  auto e = classify("PKT_INFRA-LINK", "UPDOWN", "Interface TenGigE0/2/0/4, changed state to Down");
  ASSERT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().interface(), "TenGigE0/2/0/4");
  EXPECT_EQ(e.interface().state(), "down");
  EXPECT_FALSE(e.interface().line_protocol());
  e = classify("PKT_INFRA-LINK", "UPDOWN", "Interface TenGigE0/2/0/4, changed state to Up");
  ASSERT_EQ(e.kind(), v1::LINK_UP);
  e = classify("PKT_INFRA-LINEPROTO", "UPDOWN",
               "Line protocol on Interface Bundle-Ether10, changed state to Down");
  ASSERT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().interface(), "Bundle-Ether10");
  EXPECT_TRUE(e.interface().line_protocol());
}

TEST(SyslogClassifier, AdministrativelyDownFromAnAddressKeepsOnlyTheState) {
  auto e = classify("LINK", "CHANGED",
                    "Interface GigabitEthernet2, changed state to administratively down from "
                    "10.83.75.201");
  ASSERT_EQ(e.kind(), v1::LINK_DOWN);
  EXPECT_EQ(e.interface().state(), "administratively down");
}

// Untyped lines that name a port still land on its timeline.
TEST(SyslogInterfaceNames, EveryLineThatNamesAPortGivesIt) {
  const std::pair<const char*, const char*> lines[] = {
      {"individual port Ethernet1/33 is down", "Ethernet1/33"},  // ETH_PORT_CHANNEL
      {"Received BPDU on port Ethernet1/43 with BPDU Guard enabled. Disabling port.",
       "Ethernet1/43"},  // NX-OS STP-2-BLOCK_BPDUGUARD
      {"Received BPDU on port Gi1/0/7 with BPDU Guard enabled. Disabling port.", "Gi1/0/7"},
      {"duplex mismatch discovered on GigabitEthernet1/0/5 (not full duplex), with SW2 "
       "GigabitEthernet0/1 (full duplex).",
       "GigabitEthernet1/0/5"},  // CDP-4-DUPLEX_MISMATCH: the local port comes first
      {"Authentication failed for client (0011.2233.4455) on Interface Gi1/0/16 "
       "AuditSessionID 0A0B0C0D000000120034A1B2",
       "Gi1/0/16"},  // DOT1X-5-FAIL
      {"Interface Gi1/0/20: PD removed", "Gi1/0/20"},
      {"Interface Port-channel1 is not compatible with ...", "Port-channel1"},
      {"Interface MgmtEth0/RP0/CPU0/0, changed state to Up", "MgmtEth0/RP0/CPU0/0"},
      {"Line protocol on Interface GigabitEthernet0/0/0.100, changed state to down",
       "GigabitEthernet0/0/0.100"},
      {"Interface Serial0/0/0:0, changed state to down", "Serial0/0/0:0"},
      {"Host 0011.2233.4455 in vlan 10 is flapping between port Gi1/0/1 and port Gi1/0/2",
       "Gi1/0/1"},
      {"Interface Vlan22, changed state to up", "Vlan22"},
  };
  for (const auto& [text, name] : lines) EXPECT_EQ(find_interface_name(text), name) << text;
}

TEST(SyslogInterfaceNames, NoFalsePortsFromAclNamesAddressesOrTheWordInterface) {
  const char* const lines[] = {
      "list 177 denied igmp 192.168.100.197 -> 224.0.0.22, 1 packet",
      "list INBOUND-ON-F11 denied igmp 192.168.100.2 -> 224.0.0.2 (20), 1 packet",
      "list Vlan10-in denied tcp 10.1.1.1(1234) -> 10.2.2.2(80), 1 packet",
      "list ACL_Gi1/0/1 permitted udp 10.1.1.1(53) -> 10.2.2.2(53), 1 packet",
      "Interface down detected on the uplink, check the cable",
      "Route 10.1.1.0/24 via 10.0.0.1 added",
      "Host 0011.2233.4455 in vlan 10 moved",
      "Tunnel state changed",
      "retry te1 and gi1 later",  // lower-case short forms are words, not ports
      "An endpoint has unregistered",
      "Configured from console by admin on vty0 (10.1.1.5)",
  };
  for (const char* text : lines) EXPECT_EQ(find_interface_name(text), "") << text;
  EXPECT_EQ(classify("SEC", "IPACCESSLOGP", lines[2]).syslog().interface(), "");
}

// Switch CPU thresholds. The rising line is the one a log watcher in a public repository
// quotes from its router (tests/data/realworld/syslog/found.jsonl names it).
TEST(SyslogClassifier, SwitchCpuRisingThresholdIsCpuHighOnTheSwitch) {
  auto e = classify("SYS", "CPURISINGTHRESHOLD",
                    "Threshold: Total CPU Utilization(Total/Intr): 75%/100%, Top 3 "
                    "processes(Pid/Util):  91/75%, 2/0%, 51/0%");
  ASSERT_EQ(e.kind(), v1::CPU_HIGH);
  EXPECT_EQ(e.cpu().role(), "switch");
  EXPECT_DOUBLE_EQ(e.cpu().percent(), 75);
  EXPECT_DOUBLE_EQ(e.cpu().peak_percent(), 75);
  e = classify("SYS", "CPURISINGTHRESHOLD",
               "Threshold: Total CPU Utilization(Total/Intr): 17%/1%, Top 3 processes(Pid/Util): "
               "85/9%, 146/4%, 80/1%");
  EXPECT_DOUBLE_EQ(e.cpu().percent(), 17);
}

TEST(SyslogClassifier, FoundSwitchCpuLineNamesItsSwitch) {
  auto e = parse(
      "Jul 19 10:30:37 sm1-prt-highw157 %SYS-1-CPURISINGTHRESHOLD: Threshold: Total CPU "
      "Utilization(Total/Intr): 17%/1%, Top 3 processes(Pid/Util): 85/9%, 146/4%, 80/1%");
  ASSERT_EQ(e.kind(), v1::CPU_HIGH);
  EXPECT_EQ(e.origin(), "sm1-prt-highw157");
  EXPECT_DOUBLE_EQ(e.cpu().percent(), 17);
}

// The falling form as IOS's system message guide writes it; no public capture was found.
TEST(SyslogClassifier, SwitchCpuFallingThresholdIsCpuNormal) {
  auto e = classify("SYS", "CPUFALLINGTHRESHOLD",
                    "Threshold: Total CPU Utilization(Total/Intr) 10%/0%.");
  ASSERT_EQ(e.kind(), v1::CPU_NORMAL);
  EXPECT_EQ(e.cpu().role(), "switch");
  EXPECT_DOUBLE_EQ(e.cpu().percent(), 10);
  // No percentage: still the crossing, with no value rather than a guessed one.
  e = classify("SYS", "CPUFALLINGTHRESHOLD", "Threshold: Total CPU Utilization back to normal");
  ASSERT_EQ(e.kind(), v1::CPU_NORMAL);
  EXPECT_DOUBLE_EQ(e.cpu().percent(), 0);
}

TEST(SyslogClassifier, SwitchCpuLineThroughTheWholeParser) {
  auto e = parse(
      "<185>1234: sw-a: Nov 20 08:59:30.123 UTC: %SYS-1-CPURISINGTHRESHOLD: Threshold: Total "
      "CPU Utilization(Total/Intr): 95%/3%, Top 3 processes(Pid/Util): 91/75%, 2/0%, 51/0%");
  ASSERT_EQ(e.kind(), v1::CPU_HIGH);
  EXPECT_EQ(e.cpu().role(), "switch");
  EXPECT_DOUBLE_EQ(e.cpu().percent(), 95);
}

// CUCM alarms. Their tag names follow the alarm catalogue's parameter lists (Managed Services
// Guide; ../shared/domain/FACTS.md section 1): no public capture of these lines was found.
TEST(SyslogClassifier, CallManagerFailureIsCmFailedOnItsNode) {
  const Tags tags = {{"HostName", "ucm-sub1"},
                     {"IPAddress", "10.1.1.11"},
                     {"Reason", "3"},
                     {"Text", "Timer thread stopped"},
                     {"AppID", "Cisco CallManager"},
                     {"ClusterID", "CL1"},
                     {"NodeID", "ucm-sub1"}};
  auto e = classify("UC_CALLMANAGER", "CallManagerFailure",
                    "Indicates an internal failure of Unified CM", tags);
  ASSERT_EQ(e.kind(), v1::CM_FAILED);
  EXPECT_EQ(e.rtmt_alert().alert_name(), "CallManagerFailure");
  EXPECT_EQ(e.rtmt_alert().node(), "ucm-sub1");
  EXPECT_EQ(e.rtmt_alert().cluster(), "CL1");
  EXPECT_EQ(e.rtmt_alert().detail(), "Timer thread stopped");
}

TEST(SyslogClassifier, CallManagerServiceStopAndStartAreRestartEvidence) {
  const Tags cm = {{"ServiceName", "Cisco CallManager"},
                   {"ProcessID", "4242"},
                   {"AppID", "Cisco Service Manager"},
                   {"NodeID", "ucm-sub2"}};
  auto e = classify("UC_SERVICEMANAGER", "ServiceStopped", "Service stopped.", cm);
  ASSERT_EQ(e.kind(), v1::CM_FAILED);
  EXPECT_EQ(e.rtmt_alert().detail(), "Cisco CallManager");
  EXPECT_EQ(e.rtmt_alert().node(), "ucm-sub2");
  e = classify("UC_SERVICEMANAGER", "ServiceStarted", "Service started.", cm);
  ASSERT_EQ(e.kind(), v1::DEVICE_RESTART);
  EXPECT_EQ(e.rtmt_alert().alert_name(), "ServiceStarted");
}

TEST(SyslogClassifier, OtherServicesStopsStayUntyped) {
  // Only the call processing service unregisters phones when it stops.
  for (const char* service : {"Cisco Tftp", "Cisco CallManager Cisco IP Phone Services", ""}) {
    const Tags tags = {{"ServiceName", service}, {"NodeID", "ucm-pub"}};
    EXPECT_EQ(classify("UC_SERVICEMANAGER", "ServiceStopped", "Service stopped.", tags).kind(),
              v1::SYSLOG_OTHER)
        << service;
  }
}

TEST(SyslogClassifier, AdministratorResetsArePlannedEvidence) {
  const Tags device = {{"DeviceName", "SEP001122334455"},
                       {"DeviceType", "36213"},
                       {"ProductType", "Cisco 7841"},
                       {"NodeID", "ucm-sub1"}};
  auto e = classify("UC_CALLMANAGER", "EndPointRestartInitiated",
                    "Restart or Reset request has been sent to an Endpoint", device);
  ASSERT_EQ(e.kind(), v1::CM_DEVICE_RESET);
  EXPECT_EQ(e.rtmt_alert().detail(), "SEP001122334455");
  EXPECT_EQ(e.rtmt_alert().node(), "ucm-sub1");
  EXPECT_EQ(classify("UC_CALLMANAGER", "DeviceResetInitiated", "x", device).kind(),
            v1::CM_DEVICE_RESET);
  const Tags pool = {{"DevicePoolName", "DP-Building-3"}, {"NodeID", "ucm-pub"}};
  e = classify("UC_CALLMANAGER", "DevicePoolReset", "Device pool reset", pool);
  ASSERT_EQ(e.kind(), v1::CM_DEVICE_RESET);
  EXPECT_EQ(e.rtmt_alert().detail(), "DP-Building-3");
  EXPECT_EQ(kind_name(v1::CM_DEVICE_RESET), "cm_device_reset");
}

TEST(SyslogClassifier, DemoArchiveKinds) {
  // The bundled demo archive must produce the story it tells.
  std::ifstream in(std::string(REGWATCH_TEST_DATA_DIR) + "/../../tools/demo/sample-syslog.log");
  ASSERT_TRUE(in.good());
  std::map<v1::EventKind, int> kinds;
  std::string line;
  while (std::getline(in, line)) kinds[parse(line).kind()]++;
  EXPECT_EQ(kinds[v1::PHONE_UNREGISTERED], 38);
  EXPECT_EQ(kinds[v1::PHONE_REGISTERED], 40);
  EXPECT_EQ(kinds[v1::CPU_PEGGING], 1);
  EXPECT_EQ(kinds[v1::HEARTBEAT_LOW], 1);
  EXPECT_EQ(kinds[v1::LINK_DOWN], 1);
  EXPECT_EQ(kinds[v1::LINK_UP], 1);
  EXPECT_EQ(kinds[v1::PHONE_REGISTRATION_FAILED], 1);
  EXPECT_EQ(kinds[v1::POE_REMOVED], 1);
  EXPECT_EQ(kinds[v1::SYSLOG_OTHER], 0);
}

}  // namespace
}  // namespace regwatch::agent::syslog
