// The boot chain on the wire, end to end through WireCapture: DHCP leases and their TFTP
// option, TFTP and HTTP downloads and their failures, configs read for their CM group, and each
// rule of common/boot_rules.h firing on the packets that make it hold, by packet time.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "agent/wire/wire_capture.h"
#include "tests/sccp/sccp_wire.h"
#include "tests/wire/boot_wire.h"

namespace regwatch::agent::boot {
namespace {

using namespace testing;
using regwatch::v1::Event;

constexpr int64_t kS = 1'000'000;
constexpr std::array<uint8_t, 4> kPhoneIp{10, 0, 0, 50}, kServer{10, 0, 0, 1}, kCm{10, 0, 0, 10},
    kZero{0, 0, 0, 0}, kBroadcast{255, 255, 255, 255};
constexpr std::array<uint8_t, 6> kMac{0x00, 0x17, 0x94, 0x3a, 0x98, 0xba};
const std::string kDevice = "SEP0017943A98BA";
const std::string kVendor = "Cisco Systems, Inc. IP Phone CP-7965G";

class BootChain : public ::testing::Test {
 protected:
  explicit BootChain(BootSettings boot = {})
      : wire_(settings(std::move(boot)), [this](Event e) { events_.push_back(std::move(e)); }) {
    EXPECT_TRUE(wire_.start().ok());
  }
  static wire::WireSettings settings(BootSettings boot) {
    wire::WireSettings s;
    s.boot = std::move(boot);
    return s;
  }
  void send(const Bytes& frame, int64_t t) { wire_.on_packet(1, t, frame); }

  void lease(int64_t t, const std::vector<std::array<uint8_t, 4>>& tftp = {kServer}) {
    DhcpOptions discover{1, {}, kVendor};
    send(udp_frame({kZero, 68}, {kBroadcast, 67}, dhcp(1, 7, kMac, kZero, discover)), t);
    DhcpOptions offer{2, tftp, "", kServer, 3600};
    send(udp_frame({kServer, 67}, {kBroadcast, 68}, dhcp(2, 7, kMac, kPhoneIp, offer)), t + 1000);
    DhcpOptions request{3, {}, kVendor};
    send(udp_frame({kZero, 68}, {kBroadcast, 67}, dhcp(1, 7, kMac, kZero, request)), t + 2000);
    DhcpOptions ack{5, tftp, "", kServer, 3600};
    send(udp_frame({kServer, 67}, {kBroadcast, 68}, dhcp(2, 7, kMac, kPhoneIp, ack)), t + 3000);
  }

  // A whole TFTP download of content from the client's port, at t.
  void fetch(const std::string& file, const std::string& content, uint16_t port, int64_t t) {
    send(udp_frame({kPhoneIp, port}, {kServer, 69}, tftp_rrq(file)), t);
    const Bytes bytes = text_bytes(content);
    uint16_t block = 1;
    size_t at = 0;
    do {
      const size_t n = std::min<size_t>(512, bytes.size() - at);
      t += 1000;
      send(udp_frame({kServer, 40000}, {kPhoneIp, port},
                     tftp_data(block, Bytes(bytes.begin() + at, bytes.begin() + at + n))),
           t);
      send(udp_frame({kPhoneIp, port}, {kServer, 40000}, tftp_ack(block)), t + 100);
      at += n;
      ++block;
      if (n < 512) break;
    } while (true);
  }

  void not_found(const std::string& file, uint16_t port, int64_t t) {
    send(udp_frame({kPhoneIp, port}, {kServer, 69}, tftp_rrq(file)), t);
    send(udp_frame({kServer, 40001}, {kPhoneIp, port}, tftp_error(1, "File not found")), t + 1000);
  }

  std::vector<Event> of(regwatch::v1::EventKind kind) const {
    std::vector<Event> out;
    for (const auto& e : events_) {
      if (e.kind() == kind) out.push_back(e);
    }
    return out;
  }

  std::vector<Event> events_;
  wire::WireCapture wire_;
};

TEST_F(BootChain, ALeaseReportsTheTftpServersOfferedToACiscoPhone) {
  lease(1 * kS);
  const auto leases = of(regwatch::v1::DHCP_LEASE);
  ASSERT_EQ(leases.size(), 1u);
  const auto& d = leases[0].dhcp();
  EXPECT_EQ(leases[0].source(), regwatch::v1::SOURCE_BOOT);
  EXPECT_EQ(leases[0].event_time_us(), 1 * kS + 3000);
  EXPECT_EQ(d.client_mac(), "00:17:94:3a:98:ba");
  EXPECT_EQ(d.device_name(), kDevice);
  EXPECT_TRUE(d.cisco_phone());
  EXPECT_EQ(d.leased_ip(), "10.0.0.50");
  ASSERT_EQ(d.tftp_servers_size(), 1);
  EXPECT_EQ(d.tftp_servers(0), "10.0.0.1");
  EXPECT_EQ(d.lease_time_s(), 3600u);
  EXPECT_EQ(d.server(), "10.0.0.1");
  EXPECT_EQ(d.vendor_class(), kVendor);
  EXPECT_TRUE(of(regwatch::v1::DHCP_NO_TFTP_OPTION).empty());
}

TEST_F(BootChain, APhoneLeasedWithoutATftpOptionIsFlaggedAndStallsAfterTheGrace) {
  lease(1 * kS, {});
  ASSERT_EQ(of(regwatch::v1::DHCP_NO_TFTP_OPTION).size(), 1u);
  send(udp_frame({kCm, 1}, {kCm, 2}, {1, 2, 3}), 30 * kS);  // time passes: not yet
  EXPECT_TRUE(of(regwatch::v1::BOOT_STALLED).empty());
  send(udp_frame({kCm, 1}, {kCm, 2}, {1, 2, 3}), 62 * kS);
  const auto stalls = of(regwatch::v1::BOOT_STALLED);
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].phone().boot().rule(), "no_tftp_option");
  EXPECT_EQ(stalls[0].phone().boot().stage(), "dhcp");
  EXPECT_EQ(stalls[0].phone().device_name(), kDevice);
  EXPECT_FALSE(stalls[0].phone().boot().remediation().empty());
}

TEST_F(BootChain, DiscoversWithoutAnOfferAreUnanswered) {
  DhcpOptions discover{1, {}, kVendor};
  for (int i = 0; i < 4; ++i) {
    send(udp_frame({kZero, 68}, {kBroadcast, 67}, dhcp(1, 9, kMac, kZero, discover)),
         int64_t{i} * 8 * kS);
  }
  send(udp_frame({kCm, 1}, {kCm, 2}, {1}), 31 * kS);
  const auto unanswered = of(regwatch::v1::DHCP_UNANSWERED);
  ASSERT_EQ(unanswered.size(), 1u);
  EXPECT_EQ(unanswered[0].dhcp().discovers(), 4u);
  EXPECT_EQ(unanswered[0].dhcp().first_discover_us(), 0);
  const auto stalls = of(regwatch::v1::BOOT_STALLED);
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].phone().boot().rule(), "dhcp_unanswered");
}

TEST_F(BootChain, DownloadsAreReportedWithTheirSizeAndTheConfigsCmGroupIsRead) {
  lease(1 * kS);
  not_found("CTLSEP0017943A98BA.tlv", 5000, 2 * kS);
  fetch("ITLSEP0017943A98BA.tlv", std::string(700, 'x'), 5001, 3 * kS);
  fetch("SEP0017943A98BA.cnf.xml", cnf_xml({"10.0.0.10", "10.0.0.11"}, "SCCP45.9-4-2SR3-1S"), 5002,
        4 * kS);
  const auto failed = of(regwatch::v1::BOOT_FILE_FAILED);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].boot_file().failure(), "not_found");
  EXPECT_EQ(failed[0].boot_file().file_kind(), "ctl");
  EXPECT_EQ(failed[0].boot_file().error_code(), 1);
  EXPECT_EQ(failed[0].boot_file().error_text(), "File not found");
  EXPECT_EQ(failed[0].boot_file().device_name(), kDevice);
  const auto fetched = of(regwatch::v1::BOOT_FILE_FETCHED);
  ASSERT_EQ(fetched.size(), 2u);
  EXPECT_EQ(fetched[0].boot_file().file_kind(), "itl");
  EXPECT_EQ(fetched[0].boot_file().bytes(), 700u);
  EXPECT_EQ(fetched[0].boot_file().server(), "10.0.0.1");
  EXPECT_EQ(fetched[0].boot_file().protocol(), "tftp");
  const auto& config = fetched[1].boot_file();
  EXPECT_EQ(config.file_kind(), "config");
  ASSERT_EQ(config.cm_group_size(), 2);
  EXPECT_EQ(config.cm_group(0), "10.0.0.10");
  EXPECT_EQ(config.load_name(), "SCCP45.9-4-2SR3-1S");
  EXPECT_EQ(config.security_mode(), "1");
  EXPECT_TRUE(of(regwatch::v1::BOOT_STALLED).empty());
}

TEST_F(BootChain, AConfigFetchedThreeTimesWithoutRegisteringIsAConfigLoop) {
  lease(1 * kS);
  const std::string config = cnf_xml({"10.0.0.10"}, "SCCP45.9-4-2SR3-1S");
  fetch("SEP0017943A98BA.cnf.xml.sgn", config, 5000, 2 * kS);
  fetch("SEP0017943A98BA.cnf.xml.sgn", config, 5001, 10 * kS);
  EXPECT_TRUE(of(regwatch::v1::BOOT_STALLED).empty());
  fetch("SEP0017943A98BA.cnf.xml.sgn", config, 5002, 20 * kS);
  fetch("SEP0017943A98BA.cnf.xml.sgn", config, 5003, 30 * kS);
  const auto stalls = of(regwatch::v1::BOOT_STALLED);
  ASSERT_EQ(stalls.size(), 1u) << "once per boot, not once per fetch";
  const auto& b = stalls[0].phone().boot();
  EXPECT_EQ(b.rule(), "config_loop");
  EXPECT_EQ(b.stage(), "config");
  EXPECT_EQ(b.fetches(), 3u);
  EXPECT_EQ(b.file(), "SEP0017943A98BA.cnf.xml.sgn");
  EXPECT_EQ(b.tftp_server(), "10.0.0.1");
  EXPECT_EQ(stalls[0].phone().ip(), "10.0.0.50");
  EXPECT_NE(b.explanation().find("fetched 3 times"), std::string::npos) << b.explanation();
}

TEST_F(BootChain, AFirmwareLoadFetchedAgainAndAgainIsAFirmwareLoop) {
  lease(1 * kS);
  for (int i = 0; i < 3; ++i)
    fetch("SCCP45.9-4-2SR3-1S.loads", std::string(100, 'l'), uint16_t(5000 + i), (2 + i) * kS);
  const auto stalls = of(regwatch::v1::BOOT_STALLED);
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].phone().boot().rule(), "firmware_loop");
  EXPECT_EQ(stalls[0].phone().boot().stage(), "firmware");
}

TEST_F(BootChain, ThePhonesOwnConfigNotFoundThenXmlDefaultIsNotProvisioned) {
  lease(1 * kS);
  not_found("SEP0017943A98BA.cnf.xml.sgn", 5000, 2 * kS);
  not_found("SEP0017943A98BA.cnf.xml", 5001, 3 * kS);
  fetch("XMLDefault.cnf.xml", cnf_xml({"10.0.0.10"}, ""), 5002, 4 * kS);
  const auto stalls = of(regwatch::v1::BOOT_STALLED);
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].phone().boot().rule(), "not_provisioned");
}

TEST_F(BootChain, UnansweredRequestsStallThePhoneAndMarkTheServerSilentUntilItAnswers) {
  lease(1 * kS);
  send(udp_frame({kPhoneIp, 5000}, {kServer, 69}, tftp_rrq("CTLSEP0017943A98BA.tlv")), 2 * kS);
  send(udp_frame({kPhoneIp, 5000}, {kServer, 69}, tftp_rrq("CTLSEP0017943A98BA.tlv")), 4 * kS);
  send(udp_frame({kPhoneIp, 5001}, {kServer, 69}, tftp_rrq("ITLSEP0017943A98BA.tlv")), 15 * kS);
  send(udp_frame({kCm, 1}, {kCm, 2}, {1}), 30 * kS);
  const auto failed = of(regwatch::v1::BOOT_FILE_FAILED);
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0].boot_file().failure(), "no_answer");
  EXPECT_EQ(failed[0].boot_file().retransmissions(), 1u);
  const auto stalls = of(regwatch::v1::BOOT_STALLED);
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].phone().boot().rule(), "tftp_unanswered");
  const auto silent = of(regwatch::v1::TFTP_SERVER_UNANSWERED);
  ASSERT_EQ(silent.size(), 1u);
  EXPECT_EQ(silent[0].tftp_server().server(), "10.0.0.1");
  EXPECT_EQ(silent[0].tftp_server().unanswered_requests(), 2u);
  EXPECT_FALSE(silent[0].tftp_server().resolved());
  fetch("ITLSEP0017943A98BA.tlv", "x", 5002, 40 * kS);
  const auto back = of(regwatch::v1::TFTP_SERVER_UNANSWERED);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_TRUE(back[1].tftp_server().resolved());
}

TEST_F(BootChain, ARejectionByACmOutsideTheConfigsGroupIsTheWrongCmGroup) {
  using sccp::testing::frame;
  using sccp::testing::register_pdu;
  using sccp::testing::reject_pdu;
  lease(1 * kS);
  fetch("SEP0017943A98BA.cnf.xml.sgn", cnf_xml({"10.0.0.10"}, "L"), 5000, 2 * kS);
  // It registers to its TFTP server (10.0.0.1), which is not in the group, and is rejected.
  send(frame({50, 51000}, {1, 2000}, 1, register_pdu(kDevice)), 3 * kS);
  send(frame({1, 2000}, {50, 51000}, 1, reject_pdu("Device not in CM group")), 3 * kS + 500);
  ASSERT_EQ(of(regwatch::v1::PHONE_REGISTRATION_FAILED).size(), 1u);
  const auto stalls = of(regwatch::v1::BOOT_STALLED);
  ASSERT_EQ(stalls.size(), 1u);
  const auto& b = stalls[0].phone().boot();
  EXPECT_EQ(b.rule(), "wrong_cm_group");
  EXPECT_EQ(b.stage(), "registration");
  EXPECT_EQ(b.cm_address(), "10.0.0.1");
  ASSERT_EQ(b.cm_group_size(), 1);
  EXPECT_NE(b.explanation().find("its TFTP server"), std::string::npos) << b.explanation();
}

TEST_F(BootChain, ARegistrationEndsTheBootSoLaterFetchesStartAfresh) {
  using sccp::testing::frame;
  using sccp::testing::register_ack_pdu;
  using sccp::testing::register_pdu;
  lease(1 * kS);
  const std::string config = cnf_xml({"10.0.0.10"}, "L");
  fetch("SEP0017943A98BA.cnf.xml", config, 5000, 2 * kS);
  fetch("SEP0017943A98BA.cnf.xml", config, 5001, 3 * kS);
  send(frame({50, 51000}, {10, 2000}, 1, register_pdu(kDevice)), 4 * kS);
  send(frame({10, 2000}, {50, 51000}, 1, register_ack_pdu()), 4 * kS + 500);
  ASSERT_EQ(of(regwatch::v1::PHONE_REGISTERED).size(), 1u);
  fetch("SEP0017943A98BA.cnf.xml", config, 5002, 5 * kS);  // an apply-config, not a loop
  EXPECT_TRUE(of(regwatch::v1::BOOT_STALLED).empty());
}

TEST_F(BootChain, ARenewalIsNoNewBoot) {
  lease(1 * kS, {});  // no option 150: the phone has an alternate TFTP server set
  fetch("SEP0017943A98BA.cnf.xml", cnf_xml({"10.0.0.10"}, "L"), 5000, 2 * kS);
  // RENEWING at T1: a REQUEST from its address (ciaddr), the ACK without the options.
  DhcpOptions request{3, {}, kVendor};
  Bytes renew = dhcp(1, 8, kMac, kZero, request);
  for (int i = 0; i < 4; ++i) renew[12 + i] = kPhoneIp[i];  // ciaddr
  send(udp_frame({kPhoneIp, 68}, {kServer, 67}, renew), 1800 * kS);
  send(udp_frame({kServer, 67}, {kPhoneIp, 68},
                 dhcp(2, 8, kMac, kPhoneIp, {5, {}, "", kServer, 3600})),
       1800 * kS + 1000);
  send(udp_frame({kCm, 1}, {kCm, 2}, {1}), 1900 * kS);
  const auto leases = of(regwatch::v1::DHCP_LEASE);
  ASSERT_EQ(leases.size(), 2u);
  EXPECT_FALSE(leases[0].dhcp().renewal());
  EXPECT_TRUE(leases[1].dhcp().renewal());
  EXPECT_EQ(of(regwatch::v1::DHCP_NO_TFTP_OPTION).size(), 1u) << "the boot's, not the renewal's";
  EXPECT_TRUE(of(regwatch::v1::BOOT_STALLED).empty()) << "it fetched its config after the boot";
}

TEST_F(BootChain, APhoneThatRebootsOnEachTryStillLoops) {
  const std::string config = cnf_xml({"10.0.0.10"}, "L");
  for (int boot = 0; boot < 3; ++boot) {
    lease((1 + 60 * boot) * kS);
    not_found("CTLSEP0017943A98BA.tlv", uint16_t(5000 + 10 * boot), (2 + 60 * boot) * kS);
    fetch("SEP0017943A98BA.cnf.xml.sgn", config, uint16_t(5001 + 10 * boot), (3 + 60 * boot) * kS);
  }
  const auto stalls = of(regwatch::v1::BOOT_STALLED);
  ASSERT_EQ(stalls.size(), 1u);
  EXPECT_EQ(stalls[0].phone().boot().rule(), "config_loop");
  EXPECT_EQ(stalls[0].phone().boot().file(), "SEP0017943A98BA.cnf.xml.sgn")
      << "the file it loops on, not the CTL it also asked for each time";
  EXPECT_EQ(stalls[0].phone().boot().fetches(), 3u);
}

TEST_F(BootChain, OnlyWholeDownloadsWithinTheWindowMakeALoop) {
  lease(1 * kS);
  const std::string config = cnf_xml({"10.0.0.10"}, "L");
  send(udp_frame({kPhoneIp, 5000}, {kServer, 69}, tftp_rrq("SEP0017943A98BA.cnf.xml.sgn")), 2 * kS);
  send(udp_frame({kServer, 40001}, {kPhoneIp, 5000}, tftp_error(0, "busy")), 2 * kS + 10);
  send(udp_frame({kPhoneIp, 5001}, {kServer, 69}, tftp_rrq("SEP0017943A98BA.cnf.xml.sgn")), 3 * kS);
  send(udp_frame({kServer, 40001}, {kPhoneIp, 5001}, tftp_error(0, "busy")), 3 * kS + 10);
  fetch("SEP0017943A98BA.cnf.xml.sgn", config, 5002, 4 * kS);
  EXPECT_TRUE(of(regwatch::v1::BOOT_STALLED).empty()) << "two failures and one whole fetch";
  // Apply-configs of a phone whose registration the capture cannot see (TLS), hours apart.
  fetch("SEP0017943A98BA.cnf.xml.sgn", config, 5003, 3600 * kS);
  fetch("SEP0017943A98BA.cnf.xml.sgn", config, 5004, 7200 * kS);
  EXPECT_TRUE(of(regwatch::v1::BOOT_STALLED).empty());
  EXPECT_EQ(of(regwatch::v1::BOOT_FILE_FETCHED).back().boot_file().attempt(), 5u);
}

TEST_F(BootChain, WireBytesThatAreNotUtf8StillMakeAnEventThatParses) {
  lease(1 * kS);
  send(udp_frame({kPhoneIp, 5000}, {kServer, 69}, tftp_rrq("CTLSEP0017943A98BA.tlv")), 2 * kS);
  send(udp_frame({kServer, 40001}, {kPhoneIp, 5000}, tftp_error(1, "Datei fehlt \xff")),
       2 * kS + 10);
  const auto failed = of(regwatch::v1::BOOT_FILE_FAILED);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].boot_file().error_text(), "Datei fehlt \\xff");
  Event back;
  EXPECT_TRUE(back.ParseFromString(failed[0].SerializeAsString()));
  EXPECT_EQ(wire_.stats().boot.anomalies.at("boot_invalid_utf8"), 1u);
}

TEST_F(BootChain, ACaptureThatEndsMidTransferTimesItOutAtItsDeadline) {
  lease(1 * kS);
  send(udp_frame({kPhoneIp, 5000}, {kServer, 69}, tftp_rrq("ITLSEP0017943A98BA.tlv")), 2 * kS);
  EXPECT_TRUE(of(regwatch::v1::BOOT_FILE_FAILED).empty());
  wire_.finish(2 * kS);
  const auto failed = of(regwatch::v1::BOOT_FILE_FAILED);
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].boot_file().failure(), "no_answer");
  EXPECT_EQ(failed[0].event_time_us(), 12 * kS) << "the request's time plus transfer_timeout_s";
}

}  // namespace
}  // namespace regwatch::agent::boot
