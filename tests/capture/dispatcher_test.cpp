// The capture layer's dispatch: a packet goes to the analyzer that claimed its port (the
// destination's claim first), every other analyzer hears that time moved on, a port has one
// owner, and UDP is decoded only when some analyzer claims a UDP port.
#include "agent/capture/dispatcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace regwatch::agent::capture {
namespace {

// A raw-IP (kLinkRaw) IPv4 frame from 10.0.0.1 to 10.0.0.2 (reversed: 10.0.0.2 to 10.0.0.1)
// carrying a bare transport header.
std::vector<uint8_t> frame(uint8_t protocol, uint16_t src_port, uint16_t dst_port,
                           size_t payload = 4, bool reversed = false) {
  const size_t transport = protocol == 17 ? 8 : 20;
  const size_t total = 20 + transport + payload;
  std::vector<uint8_t> f(total, 0);
  f[0] = 0x45;
  f[2] = static_cast<uint8_t>(total >> 8);
  f[3] = static_cast<uint8_t>(total);
  f[9] = protocol;
  f[12] = 10, f[15] = reversed ? 2 : 1, f[16] = 10, f[19] = reversed ? 1 : 2;
  f[20] = static_cast<uint8_t>(src_port >> 8), f[21] = static_cast<uint8_t>(src_port);
  f[22] = static_cast<uint8_t>(dst_port >> 8), f[23] = static_cast<uint8_t>(dst_port);
  if (protocol == 17) {
    f[24] = static_cast<uint8_t>((8 + payload) >> 8), f[25] = static_cast<uint8_t>(8 + payload);
  } else {
    f[32] = 0x50;  // data offset 5
  }
  return f;
}

struct Recorder final : Analyzer {
  explicit Recorder(PortClaims c) : ports(std::move(c)) {}
  PortClaims claims() const override { return ports; }
  void on_tcp(const TcpSegment& s, int64_t t) override {
    calls.push_back("tcp " + std::to_string(s.dst_port) + " @" + std::to_string(t));
  }
  void on_udp(const UdpDatagram& d, int64_t t) override {
    calls.push_back("udp " + std::to_string(d.dst_port) + " " + std::to_string(d.payload.size()) +
                    " @" + std::to_string(t));
  }
  void on_time(int64_t t) override { calls.push_back("time @" + std::to_string(t)); }
  void on_idle(int64_t t) override { calls.push_back("idle @" + std::to_string(t)); }
  PortClaims ports;
  std::vector<std::string> calls;
};

TEST(Dispatcher, EachPacketGoesToTheAnalyzerOfItsPortAndTheOthersHearTheTime) {
  Recorder sccp({{2000}, {}}), dhcp({{}, {67, 68}});
  Dispatcher dispatcher;
  ASSERT_TRUE(dispatcher.add(sccp).ok());
  ASSERT_TRUE(dispatcher.add(dhcp).ok());
  const auto to_cm = frame(6, 50000, 2000), from_cm = frame(6, 2000, 50000);
  const auto discover = frame(17, 68, 67, 10), other_tcp = frame(6, 1234, 80);
  dispatcher.on_packet(kLinkRaw, 1, to_cm);
  dispatcher.on_packet(kLinkRaw, 2, from_cm);
  dispatcher.on_packet(kLinkRaw, 3, discover);
  dispatcher.on_packet(kLinkRaw, 4, other_tcp);
  dispatcher.on_idle(5);
  EXPECT_EQ(sccp.calls, (std::vector<std::string>{"tcp 2000 @1", "tcp 50000 @2", "time @3",
                                                  "time @4", "idle @5"}));
  EXPECT_EQ(dhcp.calls,
            (std::vector<std::string>{"time @1", "time @2", "udp 67 10 @3", "time @4", "idle @5"}));
  EXPECT_EQ(dispatcher.stats().packets, 4u);
}

TEST(Dispatcher, APortHasOneOwner) {
  Recorder a({{2000}, {}}), b({{2000, 2443}, {}});
  Dispatcher dispatcher;
  ASSERT_TRUE(dispatcher.add(a).ok());
  const Status second = dispatcher.add(b);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, "port_claimed");
  dispatcher.on_packet(kLinkRaw, 1, frame(6, 1, 2443));  // b was not added: nobody's port
  EXPECT_EQ(a.calls, std::vector<std::string>{"time @1"});
  EXPECT_TRUE(b.calls.empty());
}

TEST(Dispatcher, UdpIsDecodedOnlyWhenClaimedAndBadFramesAreCounted) {
  Recorder tcp_only({{2000}, {}});
  Dispatcher dispatcher;
  ASSERT_TRUE(dispatcher.add(tcp_only).ok());
  auto cut_udp = frame(17, 68, 67, 0);
  cut_udp.resize(24);  // the UDP header cut short: not ours to judge without a UDP analyzer
  dispatcher.on_packet(kLinkRaw, 1, cut_udp);
  auto cut_tcp = frame(6, 1, 2000, 0);
  cut_tcp.resize(30);
  dispatcher.on_packet(kLinkRaw, 2, cut_tcp);
  EXPECT_EQ(dispatcher.stats().anomalies,
            (std::map<std::string, uint64_t>{{"truncated_header", 1}}));

  Recorder dhcp({{}, {67}});
  Dispatcher with_udp;
  ASSERT_TRUE(with_udp.add(dhcp).ok());
  with_udp.on_packet(kLinkRaw, 1, cut_udp);
  EXPECT_EQ(with_udp.stats().anomalies, (std::map<std::string, uint64_t>{{"truncated_header", 1}}));
}

// An analyzer that claims the endpoint of each datagram it gets on its port, as TFTP claims the
// client's endpoint of a read request, and releases it when told.
struct Claimer final : Analyzer {
  PortClaims claims() const override { return {{}, {69}}; }
  void on_added(RuntimeClaims& c) override { runtime = &c; }
  void on_tcp(const TcpSegment&, int64_t) override {}
  void on_udp(const UdpDatagram& d, int64_t) override {
    calls.push_back("udp " + std::to_string(d.src_port) + ">" + std::to_string(d.dst_port));
    if (d.dst_port == 69) claimed = runtime->claim_udp_endpoint(*this, d.src, d.src_port);
  }
  void on_time(int64_t) override {}
  void on_idle(int64_t) override {}
  RuntimeClaims* runtime = nullptr;
  bool claimed = false;
  std::vector<std::string> calls;
};

TEST(Dispatcher, AnEndpointClaimedAtRunTimeBringsItsDatagramsToTheClaimerUntilReleased) {
  Claimer tftp;
  Recorder other({{}, {5060}});
  Dispatcher dispatcher;
  ASSERT_TRUE(dispatcher.add(tftp).ok());
  ASSERT_TRUE(dispatcher.add(other).ok());
  ASSERT_NE(tftp.runtime, nullptr);
  dispatcher.on_packet(kLinkRaw, 1, frame(17, 40000, 50000, 4, true));  // nobody's yet
  dispatcher.on_packet(kLinkRaw, 2, frame(17, 50000, 69));              // 10.0.0.1:50000 asks
  ASSERT_TRUE(tftp.claimed);
  dispatcher.on_packet(kLinkRaw, 3, frame(17, 40000, 50000, 4, true));  // to 10.0.0.1:50000
  dispatcher.on_packet(kLinkRaw, 4, frame(17, 50000, 40000));           // from it
  dispatcher.on_packet(kLinkRaw, 5, frame(17, 5060, 50000, 4, true));   // a port claim wins
  dispatcher.on_packet(kLinkRaw, 6, frame(17, 40000, 50000));  // 10.0.0.2:50000: not claimed
  EXPECT_EQ(tftp.calls,
            (std::vector<std::string>{"udp 50000>69", "udp 40000>50000", "udp 50000>40000"}));
  EXPECT_EQ(other.calls[4], "udp 50000 4 @5");
  IpAddress claimed;
  claimed.bytes[10] = claimed.bytes[11] = 0xff;
  claimed.bytes[12] = 10, claimed.bytes[15] = 1;
  tftp.runtime->release_udp_endpoint(other, claimed, 50000);  // not other's to release
  dispatcher.on_packet(kLinkRaw, 7, frame(17, 50000, 40000));
  EXPECT_EQ(tftp.calls.size(), 4u);
  tftp.runtime->release_udp_endpoint(tftp, claimed, 50000);
  dispatcher.on_packet(kLinkRaw, 8, frame(17, 50000, 40000));
  EXPECT_EQ(tftp.calls.size(), 4u) << "released: nobody's again";
}

}  // namespace
}  // namespace regwatch::agent::capture
