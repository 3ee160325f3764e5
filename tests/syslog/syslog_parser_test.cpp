// Header, time and robustness rules of the syslog parser, on real lines
// (tests/data/syslog/real_lines.txt: lines from Cisco documentation, tech notes and public
// parser test suites) and variants.
#include "agent/syslog/syslog_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "agent/syslog/syslog_timestamp.h"
#include "common/time_format.h"

namespace regwatch::agent::syslog {
namespace {

// 2026-11-23T12:00:00Z, the agent's clock in these tests.
constexpr int64_t kNow = 1'795'435'200'000'000;

LineContext live() {
  LineContext c;
  c.receive_time_us = kNow;
  c.reference_time_us = kNow;
  c.sender = "192.0.2.7";
  return c;
}

ParsedLine parse(std::string_view line, const LineContext& c = live()) {
  return parse_syslog_line(line, c);
}

std::string at(const ParsedLine& p) {
  return format_rfc3339_ms(p.event.event_time_us());
}

bool has(const ParsedLine& p, std::string_view anomaly) {
  return std::find(p.anomalies.begin(), p.anomalies.end(), anomaly) != p.anomalies.end();
}

TEST(SyslogParser, EveryRealLineIsRecognisedAndSerialises) {
  std::ifstream in(std::string(REGWATCH_TEST_DATA_DIR) + "/syslog/real_lines.txt");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto p = parse(line);
    EXPECT_TRUE(p.recognised) << line;
    EXPECT_FALSE(p.event.syslog().mnemonic().empty()) << line;
    std::string bytes;
    EXPECT_TRUE(p.event.SerializeToString(&bytes));
    ++n;
  }
  EXPECT_GE(n, 13);
}

TEST(SyslogParser, CucmArchivedLineWithViewerPrefix) {
  auto p = parse(
      "31 uc-ucm-01 local7 3 : 41679: uc-ucm-01.pcce.local Jul 02 2015 06:22:31 UTC :   "
      "%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEPE0D1730A8137][Reason=13]"
      "[NodeID=uc-ucm-01]: An endpoint has unregistered");
  EXPECT_EQ(at(p), "2015-07-02T06:22:31.000Z");
  EXPECT_EQ(p.event.origin(), "uc-ucm-01.pcce.local");
  EXPECT_EQ(p.event.syslog().sequence(), 41679u);
  EXPECT_EQ(p.event.syslog().app(), "UC_CALLMANAGER");
  EXPECT_EQ(p.event.syslog().severity(), 3);
  EXPECT_EQ(p.event.syslog().text(), "An endpoint has unregistered");
  EXPECT_FALSE(p.event.time_info().device_time_untrusted());
  EXPECT_FALSE(p.event.time_info().year_inferred());
}

TEST(SyslogParser, CiscoLogWithPri) {
  auto p = parse(
      "<165>11: host.cisco.com: Jun 13 2003 12:11:52.454 UTC: %BACC-5-CONFIG: Configured from "
      "console");
  EXPECT_EQ(p.event.syslog().facility(), 20);
  EXPECT_EQ(p.event.syslog().severity(), 5);
  EXPECT_EQ(p.event.origin(), "host.cisco.com");
  EXPECT_EQ(p.event.syslog().sequence(), 11u);
  EXPECT_EQ(at(p), "2003-06-13T12:11:52.454Z");
  EXPECT_EQ(p.event.time_info().device_time_text(), "Jun 13 2003 12:11:52.454 UTC");
}

TEST(SyslogParser, RelayedLineKeepsDeviceTimeAndBothHosts) {
  auto p = parse(
      "<190>3132517: Jul 13 08:23:43 192.168.100.2 sw01: 3132779: Jul 14 2023 08:23:43.398 UTC: "
      "%FOO-6-BAR: x");
  EXPECT_EQ(at(p), "2023-07-14T08:23:43.398Z");
  EXPECT_EQ(p.event.origin(), "sw01");
  EXPECT_EQ(p.event.syslog().relay_host(), "192.168.100.2");
  EXPECT_EQ(p.event.syslog().sequence(), 3132779u);
}

TEST(SyslogParser, RelayPrefixWithoutDeviceHost) {
  auto p = parse(
      "Feb  8 04:00:48 192.168.100.2 585917: Feb  8 04:00:47.272: %SEC-6-IPACCESSLOGRP: list 101");
  EXPECT_EQ(p.event.origin(), "192.168.100.2");
  EXPECT_EQ(at(p), "2026-02-08T04:00:47.272Z");  // year closest to the reference (Nov 2026)
  EXPECT_TRUE(p.event.time_info().year_inferred());
  EXPECT_TRUE(p.event.time_info().timezone_assumed());
}

TEST(SyslogParser, UnsynchronisedClockUsesReceiveTimeAndKeepsDeviceTime) {
  auto p = parse(
      "<189>5: *Mar  1 00:03:12.044: %ILPOWER-5-IEEE_DISCONNECT: Interface Gi1/0/12: PD removed");
  EXPECT_EQ(p.event.event_time_us(), kNow);
  EXPECT_TRUE(p.event.time_info().device_time_untrusted());
  EXPECT_EQ(p.event.time_info().clock_marker(), "*");
  EXPECT_EQ(p.event.time_info().device_time_text(), "*Mar  1 00:03:12.044");
  EXPECT_NE(p.event.time_info().device_time_us(), 0);
  EXPECT_EQ(p.event.origin(), "192.0.2.7");  // no host in the header: the sender
}

TEST(SyslogParser, UnsynchronisedClockInAnArchiveUsesThePrefixTime) {
  LineContext replay;
  replay.reference_time_us = *parse_time_arg("2026-11-20T09:00:00Z", 0);

  auto p = parse(
      "Nov 20 09:20:01 sw-3f-access 5530: *Mar  1 00:03:12.044: %ILPOWER-5-IEEE_DISCONNECT: "
      "Interface Gi2/0/30: PD removed",
      replay);
  EXPECT_EQ(at(p), "2026-11-20T09:20:01.000Z");
  EXPECT_TRUE(p.event.time_info().device_time_untrusted());
  EXPECT_EQ(p.event.origin(), "sw-3f-access");
}

TEST(SyslogParser, DotMarkerIsTrusted) {
  auto p = parse(
      "<187>343: .Sep 21 09:22:01.678: %LINK-3-UPDOWN: Interface Gi1/0/12, changed state to up");
  EXPECT_FALSE(p.event.time_info().device_time_untrusted());
  EXPECT_EQ(p.event.time_info().clock_marker(), ".");
  EXPECT_EQ(at(p), "2026-09-21T09:22:01.678Z");
}

TEST(SyslogParser, YearInferenceCrossesNewYear) {
  LineContext january = live();
  january.reference_time_us = *parse_time_arg("2027-01-01T00:00:30Z", 0);
  auto p = parse(
      "<187>1: Dec 31 23:59:58.000 UTC: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down",
      january);
  EXPECT_EQ(at(p), "2026-12-31T23:59:58.000Z");
  LineContext december = live();
  december.reference_time_us = *parse_time_arg("2026-12-31T23:59:50Z", 0);
  p = parse(
      "<187>1: Jan  1 00:00:05.000 UTC: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to up",
      december);
  EXPECT_EQ(at(p), "2027-01-01T00:00:05.000Z");
}

TEST(SyslogParser, TimeZones) {
  auto p =
      parse("<188>327: Apr 20 2016 12:56:35.697 NZST: %SEC_LOGIN-4-LOGIN_FAILED: Login failed");
  EXPECT_EQ(at(p), "2016-04-20T00:56:35.697Z");  // NZST is +12:00
  p = parse("<188>1: Apr 20 2016 12:56:35.697 +0100: %SYS-5-CONFIG_I: x");
  EXPECT_EQ(at(p), "2016-04-20T11:56:35.697Z");
  p = parse("<188>1: Apr 20 2016 12:56:35.697 XYZT: %SYS-5-CONFIG_I: x");
  EXPECT_TRUE(has(p, "unknown_timezone"));
  EXPECT_TRUE(p.event.time_info().timezone_assumed());
  EXPECT_EQ(at(p), "2016-04-20T12:56:35.697Z");
  LineContext plus_one = live();
  plus_one.assumed_utc_offset_minutes = 60;
  p = parse("<187>1: Apr 20 2016 12:00:00: %SYS-5-CONFIG_I: x", plus_one);
  EXPECT_EQ(at(p), "2016-04-20T11:00:00.000Z");
}

TEST(SyslogParser, DoubleSequenceAndLowerCase) {
  auto p = parse(
      "<172>25851633: 25851629: mar 18 2026 14:43:43.961 msk: %sec_login-4-login_failed: Login "
      "failed");
  EXPECT_EQ(p.event.syslog().mnemonic(), "login_failed");
  EXPECT_EQ(p.event.syslog().sequence(), 25851629u);
  EXPECT_EQ(at(p), "2026-03-18T11:43:43.961Z");
}

TEST(SyslogParser, Rfc5424WithCiscoMessage) {
  auto p = parse(
      "<165>1 2026-11-20T09:14:20.003Z sw-core evntslog - ID47 [ex@32473 iut=\"3\" x=\"a\\]b\"] "
      "%PM-4-ERR_DISABLE: psecure-violation error detected on Gi1/0/13, putting Gi1/0/13 in "
      "err-disable state");
  EXPECT_TRUE(p.recognised);
  EXPECT_EQ(p.event.kind(), v1::ERR_DISABLED);
  EXPECT_EQ(p.event.origin(), "sw-core");
  EXPECT_EQ(at(p), "2026-11-20T09:14:20.003Z");
  EXPECT_EQ(p.event.interface().interface(), "Gi1/0/13");
  EXPECT_EQ(p.event.interface().cause(), "psecure-violation");
}

TEST(SyslogParser, PlainLinuxLineIsOtherButRecognised) {
  auto p = parse("<13>Nov 23 10:00:00 linuxhost cron[123]: (root) CMD (run-parts)");
  EXPECT_TRUE(p.recognised);
  EXPECT_EQ(p.event.kind(), v1::SYSLOG_OTHER);
  EXPECT_EQ(p.event.origin(), "linuxhost");
  EXPECT_EQ(at(p), "2026-11-23T10:00:00.000Z");
  EXPECT_EQ(p.event.syslog().text(), "(root) CMD (run-parts)");
}

TEST(SyslogParser, UnknownCucmTimeAndUptimeStamps) {
  auto p = parse("<187>7: ucm: --- 00 0000 00:00:00.000 ---: %UC_X-3-Y: z");
  EXPECT_TRUE(p.event.time_info().device_time_untrusted());
  EXPECT_EQ(p.event.event_time_us(), kNow);
  p = parse("<187>7: 1d02h: %LINK-3-UPDOWN: Interface Gi1/0/1, changed state to down");
  EXPECT_TRUE(has(p, "uptime_timestamp"));
  EXPECT_TRUE(p.event.time_info().device_time_untrusted());
  EXPECT_EQ(p.event.kind(), v1::LINK_DOWN);
}

TEST(SyslogParser, BrokenInputNeverCrashesAndIsKept) {
  for (std::string_view line :
       {std::string_view(""), std::string_view("<"), std::string_view("<999>x"),
        std::string_view("%"), std::string_view("%A-9-B:"), std::string_view("%[a=b"),
        std::string_view("<13>Nov"), std::string_view("garbage with no header"),
        std::string_view("<1>1 "), std::string_view("%X-3-Y: %[K=\\q][U=1")}) {
    auto p = parse(line);
    EXPECT_EQ(p.event.raw(), line);
    std::string bytes;
    EXPECT_TRUE(p.event.SerializeToString(&bytes)) << line;
    EXPECT_NE(p.event.event_time_us(), 0) << line;
  }
  EXPECT_TRUE(has(parse("<999>x"), "bad_pri"));
  EXPECT_TRUE(has(parse("garbage with no header"), "unparsed"));
  EXPECT_FALSE(parse("garbage with no header").recognised);
  EXPECT_TRUE(has(parse("%X-3-Y: %[K=\\q]: t"), "bad_tag_escape"));
  EXPECT_TRUE(has(parse("%X-3-Y: %[K=v"), "unterminated_tags"));
}

TEST(SyslogParser, InvalidUtf8AndBinaryAreEscaped) {
  const std::string binary("<13>Nov 23 10:00:00 h t: \xff\xfe\x00\x01 ok", 31);
  auto p = parse(binary);
  EXPECT_TRUE(has(p, "invalid_utf8"));
  EXPECT_NE(p.event.raw().find("\\xff\\xfe\\x00"), std::string::npos);
  std::string bytes;
  EXPECT_TRUE(p.event.SerializeToString(&bytes));
  v1::Event back;
  EXPECT_TRUE(back.ParseFromString(bytes));
}

TEST(SyslogParser, LineLengthLimit) {
  std::string at_limit = "<187>1: Jan  1 2026 00:00:00 UTC: %SYS-5-X: ";
  at_limit.resize(kMaxLineBytes, 'a');
  auto p = parse(at_limit);
  EXPECT_FALSE(has(p, "line_truncated"));
  EXPECT_EQ(p.event.raw().size(), kMaxLineBytes);
  std::string past = at_limit + "b";
  p = parse(past);
  EXPECT_TRUE(has(p, "line_truncated"));
  EXPECT_EQ(p.event.raw().size(), kMaxLineBytes);
  EXPECT_EQ(p.event.syslog().mnemonic(), "X");
}

TEST(SyslogParser, KeepsTheSenderAndWhatTheLineSaysOfItsOrigin) {
  // Straight from the device: the sender is the device.
  auto direct = parse(
      "<187>42: cucm-pub: Nov 23 12:00:00.000 UTC : %UC_CALLMANAGER-3-DeviceUnregistered: "
      "%[DeviceName=SEP0017943A98BA][ClusterID=c1][NodeID=cucm-pub]: x");
  EXPECT_EQ(direct.event.provenance().sender_address(), "192.0.2.7");
  EXPECT_EQ(direct.event.provenance().stated_address(), "");
  EXPECT_FALSE(direct.event.provenance().relayed());
  EXPECT_FALSE(direct.event.provenance().spoofed());  // only the sender list flags that
  // A header naming another address: the sender forwarded it.
  auto relayed = parse(
      "<189>42: 10.9.9.9: Nov 23 12:00:00.000 UTC: %LINK-3-UPDOWN: Interface "
      "GigabitEthernet1/0/1, changed state to down");
  EXPECT_EQ(relayed.event.syslog().host(), "10.9.9.9");
  EXPECT_EQ(relayed.event.provenance().sender_address(), "192.0.2.7");
  EXPECT_EQ(relayed.event.provenance().stated_address(), "10.9.9.9");
  EXPECT_TRUE(relayed.event.provenance().relayed());
  // The same address as the sender's is not a relay.
  auto self = parse(
      "<189>42: 192.0.2.7: Nov 23 12:00:00.000 UTC: %LINK-3-UPDOWN: Interface "
      "GigabitEthernet1/0/1, changed state to down");
  EXPECT_EQ(self.event.syslog().host(), "192.0.2.7");
  EXPECT_FALSE(self.event.provenance().relayed());
  // Replay: an archive has no sender, and no provenance is made up.
  LineContext archive = live();
  archive.sender.clear();
  EXPECT_FALSE(parse("<189>42: 10.9.9.9: Nov 23 12:00:00.000 UTC: %LINK-3-UPDOWN: x", archive)
                   .event.has_provenance());
}

namespace issue21 {

std::string device_at(const ParsedLine& p) {
  return format_rfc3339_ms(p.event.time_info().device_time_us());
}

std::string tag(const ParsedLine& p, std::string_view key) {
  for (const auto& t : p.event.syslog().tags()) {
    if (t.key() == key) return t.value();
  }
  return "";
}

// napalm-logs tests/config/iosxr: a line card's message, a space before the tag's colon.
TEST(SyslogParserIosXr, NodeLocationProcessAndSpacedColon) {
  auto p = parse(
      "<187>94307: gw1.dev1 LC/0/2/CPU0:Jul  7 20:16:14.834 : ifmgr[214]: "
      "%PKT_INFRA-LINK-3-UPDOWN : Interface TenGigE0/2/0/4, changed state to Up");
  EXPECT_TRUE(p.recognised);
  EXPECT_EQ(p.event.origin(), "gw1.dev1");
  EXPECT_EQ(p.event.syslog().sequence(), 94307u);
  EXPECT_EQ(at(p), "2026-07-07T20:16:14.834Z");
  EXPECT_EQ(p.event.syslog().app(), "PKT_INFRA-LINK");
  EXPECT_EQ(p.event.syslog().mnemonic(), "UPDOWN");
  EXPECT_EQ(p.event.syslog().severity(), 3);
  EXPECT_EQ(p.event.syslog().text(), "Interface TenGigE0/2/0/4, changed state to Up");
  EXPECT_EQ(tag(p, "node"), "LC/0/2/CPU0");
}

// elastic/integrations test-syslog.log: relayed by a syslog server that prefixes its own time.
TEST(SyslogParserIosXr, RelayPrefixAndNoHost) {
  auto p = parse(
      "<190>Oct 7 07:19:44 internet-primary-mgmt RP/0/RP0/CPU0:Oct 7 07:19:43.630 UTC: "
      "ipv4_acl_mgr[310]: %ACL-IPV4_ACL-6-IPACCESSLOGP : access-list outgoing (1) deny");
  EXPECT_EQ(p.event.origin(), "internet-primary-mgmt");
  EXPECT_EQ(device_at(p), "2026-10-07T07:19:43.630Z");
  EXPECT_EQ(p.event.syslog().app(), "ACL-IPV4_ACL");
  EXPECT_EQ(p.event.syslog().mnemonic(), "IPACCESSLOGP");
  EXPECT_EQ(tag(p, "node"), "RP/0/RP0/CPU0");
  // syslog-ng tests/light/.../test_cisco_parser.py: no host before the node.
  p = parse(
      "<187>138076: RP/0/RP0/CPU0:Dec 11 12:43:29.227 EST: snmpd[1002]: %SNMP-SNMP-3-AUTH_FAIL : "
      "Received snmp request on unknown community from 0.0.0.0");
  EXPECT_EQ(p.event.syslog().host(), "");
  EXPECT_EQ(device_at(p), "2026-12-11T17:43:29.227Z");
  EXPECT_EQ(p.event.syslog().app(), "SNMP-SNMP");
  EXPECT_EQ(p.event.syslog().severity(), 3);
  EXPECT_EQ(p.event.syslog().text(), "Received snmp request on unknown community from 0.0.0.0");
}

// napalm-logs tests/config/nxos: the year comes first and is kept, not inferred.
TEST(SyslogParserNxos, YearFirstTimes) {
  auto p = parse(
      "<190>2018 Apr 20 13:15:07 nexus-switch %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface "
      "Ethernet1/33 is down (Link failure)");
  EXPECT_EQ(at(p), "2018-04-20T13:15:07.000Z");
  EXPECT_FALSE(p.event.time_info().year_inferred());
  EXPECT_EQ(p.event.origin(), "nexus-switch");
  EXPECT_EQ(p.event.syslog().relay_host(), "");  // the switch's own header, not a relay's
  p = parse(
      "<190>sw01.pdx01: 2017 Jul 28 14:42:46 UTC: %AUTHPRIV-6-SYSTEM_MSG: pam_unix(dcos_sshd:"
      "session): session opened for user luke by (uid=0) - dcos_sshd[12977]");
  EXPECT_EQ(at(p), "2017-07-28T14:42:46.000Z");
  EXPECT_EQ(p.event.origin(), "sw01.pdx01");
}

// elastic/integrations test-syslog.log: an offset written after the zone's name.
TEST(SyslogParserZones, OffsetAfterUtcOrGmt) {
  auto p =
      parse("<189>387448: host-01: May 6 16:13:09.123 UTC+1: %DOT1X-5-FAIL: Authentication failed");
  EXPECT_EQ(at(p), "2026-05-06T15:13:09.123Z");
  EXPECT_FALSE(p.event.time_info().timezone_assumed());
  EXPECT_EQ(p.event.origin(), "host-01");
  p = parse(
      "<189>387448: host-01: May 6 16:13:09.123 UTC+07:30: %DOT1X-5-FAIL: Authentication failed");
  EXPECT_EQ(at(p), "2026-05-06T08:43:09.123Z");
  p = parse("<189>12: host-01: May 6 16:13:09 GMT-5: %SYS-5-CONFIG_I: Configured from console");
  EXPECT_EQ(at(p), "2026-05-06T21:13:09.000Z");
  EXPECT_EQ(zone_offset_minutes("utc-05:00"), -300);
  EXPECT_EQ(zone_offset_minutes("UTC+15"), std::nullopt);
  EXPECT_EQ(zone_offset_minutes("UTC+"), std::nullopt);
}

// A line whose time cannot be used gets the receive time, flagged: never another line's.
TEST(SyslogParserTimes, NoUsableTimeIsTheReceiveTimeFlagged) {
  auto p = parse("<190>123030: some-remote-host: %SYS-5-LOGGINGHOST_STARTSTOP: Logging stopped");
  EXPECT_EQ(p.event.event_time_us(), kNow);
  EXPECT_FALSE(p.time_from_line);
  EXPECT_TRUE(p.event.time_info().device_time_untrusted());
  EXPECT_TRUE(has(p, "no_timestamp"));
  EXPECT_EQ(p.event.origin(), "some-remote-host");
  p = parse("<189>1: host-01: May 6 16:13:09 UTC: %SYS-5-CONFIG_I: Configured from console");
  EXPECT_TRUE(p.time_from_line);
}

// elastic/integrations test-syslog.log: Cisco headers before free text, no %-message.
TEST(SyslogParserHeaders, CiscoHeaderWithoutTagKeepsHostAndTime) {
  auto p = parse(
      "<191>2637085: rt401-rk30409: Aug 18 07:15:04.461 CEST: NTP Core (NOTICE): Clock "
      "synchronization lost.");
  EXPECT_TRUE(p.recognised);
  EXPECT_FALSE(has(p, "unparsed"));
  EXPECT_EQ(p.event.origin(), "rt401-rk30409");
  EXPECT_EQ(p.event.syslog().sequence(), 2637085u);
  EXPECT_EQ(at(p), "2026-08-18T05:15:04.461Z");
  EXPECT_EQ(p.event.syslog().text(), "NTP Core (NOTICE): Clock synchronization lost.");
  EXPECT_EQ(p.event.syslog().severity(), 7);  // no tag: the PRI's
  p = parse("<191>: rt401-rk30409: Aug 18 07:15:04.461 CEST: last message repeated 66 times");
  EXPECT_EQ(p.event.origin(), "rt401-rk30409");
  EXPECT_EQ(at(p), "2026-08-18T05:15:04.461Z");
  EXPECT_EQ(p.event.syslog().text(), "last message repeated 66 times");
}

// elastic/integrations test-syslog-header.log: an uptime stamp is never the host.
TEST(SyslogParserHeaders, UptimeStampIsNeverTheHost) {
  auto p = parse("<190>3132517: sw01: 3132513: 2y10w: %FOO-6-BAR: Test header format");
  EXPECT_EQ(p.event.origin(), "sw01");
  EXPECT_TRUE(has(p, "uptime_timestamp"));
  p = parse("<190>5: sw02: 1d02h: %FOO-6-BAR: x");
  EXPECT_EQ(p.event.origin(), "sw02");
  p = parse("<190>5: sw03: 00:01:02: %FOO-6-BAR: x");
  EXPECT_EQ(p.event.origin(), "sw03");
}

// The tag's severity is the event's; the PRI's is kept beside it.
TEST(SyslogParserSeverity, TagSeverityWinsPriSeverityKept) {
  // syslog-ng lib/tests/test_msgparse.c
  auto p = parse(
      "<0>91: *Oct 07 03:10:04: mydevice.com %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC "
      "packet has invalid spi");
  EXPECT_EQ(p.event.syslog().severity(), 4);
  EXPECT_EQ(p.event.syslog().pri_severity(), 0);
  p = parse("Apr 30 15:10:58: %DOT1X-5-FAIL: Authentication failed");
  EXPECT_EQ(p.event.syslog().severity(), 5);
  EXPECT_EQ(p.event.syslog().pri_severity(), -1);
  p = parse("<30>Nov 23 10:00:00 host1 sshd[12]: Accepted publickey");
  EXPECT_EQ(p.event.syslog().severity(), 6);
  EXPECT_EQ(p.event.syslog().pri_severity(), 6);
}

// syslog-ng lib/tests/test_msgparse.c: time first, then the host, the '*' policy kept.
TEST(SyslogParserHeaders, TimeThenHostWithUnsynchronisedMarker) {
  auto p = parse(
      "<0>91: *Oct 07 03:10:04: mydevice.com %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC "
      "packet has invalid spi");
  EXPECT_EQ(p.event.origin(), "mydevice.com");
  EXPECT_EQ(p.event.syslog().app(), "CRYPTO");
  EXPECT_EQ(p.event.time_info().clock_marker(), "*");
  EXPECT_EQ(device_at(p), "2026-10-07T03:10:04.000Z");
  EXPECT_EQ(p.event.event_time_us(), kNow);
  EXPECT_TRUE(p.event.time_info().device_time_untrusted());
}

// elastic/integrations test-syslog.log: a platform process relays a firewall message.
TEST(SyslogParserHeaders, NestedTagTheInnerIsTheMessage) {
  auto p = parse(
      "<190>3352436: 3352457: Aug 12 2023 12:14:24.412 mdt: %IOSXE-6-PLATFORM: R0/0: cpp_cp: "
      "QFP:0.0 Thread:001 TS:00013807766185951588 %FW-6-SESS_AUDIT_TRAIL: (target:class)-"
      "(default-domain:class-default):Stop tcp session");
  EXPECT_EQ(p.event.syslog().app(), "FW");
  EXPECT_EQ(p.event.syslog().mnemonic(), "SESS_AUDIT_TRAIL");
  EXPECT_EQ(p.event.syslog().severity(), 6);
  EXPECT_EQ(at(p), "2023-08-12T18:14:24.412Z");
  EXPECT_EQ(tag(p, "outer_message"),
            "%IOSXE-6-PLATFORM: R0/0: cpp_cp: QFP:0.0 Thread:001 TS:00013807766185951588");
  EXPECT_EQ(p.event.syslog().text(),
            "(target:class)-(default-domain:class-default):Stop tcp session");
}

// elastic/integrations test-parsing-issue-5150.log: a relay kept the switch's PRI and
// sequence number inside the line.
TEST(SyslogParserHeaders, PriInsideARelayedLine) {
  auto p = parse(
      "Aug 22 05:11:06 es-tf-sw-224.vceaa.votorantim.grupo <189>2: *Jan  2 00:00:43.167: "
      "%LINEPROTO-5-UPDOWN: Line protocol on Interface Vlan1, changed state to down");
  EXPECT_EQ(p.event.syslog().facility(), 23);
  EXPECT_EQ(p.event.syslog().pri_severity(), 5);
  EXPECT_EQ(p.event.syslog().sequence(), 2u);
  EXPECT_EQ(p.event.origin(), "es-tf-sw-224.vceaa.votorantim.grupo");
  EXPECT_EQ(at(p), "2026-08-22T05:11:06.000Z");  // '*': the relay's time
  EXPECT_EQ(device_at(p), "2026-01-02T00:00:43.167Z");
}

}  // namespace issue21

}  // namespace
}  // namespace regwatch::agent::syslog
