// The keepalive lane's frame matcher may accept only frames that decode_packet() decodes to the
// same fields (its header's contract), and the lane's key and hash must name the same
// connection as the general path's.
#include "agent/sccp/keepalive_frame.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "agent/sccp/phone_tracker.h"
#include "sccp_wire.h"

namespace regwatch::agent::sccp {
namespace {

// The capture layer under the analyzer, named as the analyzer names it.
using namespace regwatch::agent::capture;  // NOLINT(google-build-using-namespace)

using testing::Bytes;
constexpr testing::Endpoint kPhone{5, 50000}, kCm{1, 2000};

uint32_t v4_word(const IpAddress& address) {
  uint32_t word;
  std::memcpy(&word, address.bytes.data() + 12, 4);
  return word;
}

// Fails the test when match_keepalive_frame accepts what decode_packet decodes differently.
// Returns whether it accepted.
bool accepted_consistently(const Bytes& frame) {
  KeepAliveFrame lane;
  if (!match_keepalive_frame(kLinkEthernet, frame, lane)) return false;
  TcpSegment segment;
  EXPECT_EQ(decode_packet(kLinkEthernet, frame, segment), DecodeOutcome::kTcp);
  EXPECT_TRUE(segment.src.v4 && segment.dst.v4);
  EXPECT_EQ(lane.src_ip, v4_word(segment.src));
  EXPECT_EQ(lane.dst_ip, v4_word(segment.dst));
  EXPECT_EQ(lane.src_port, segment.src_port);
  EXPECT_EQ(lane.dst_port, segment.dst_port);
  EXPECT_EQ(lane.seq, segment.seq);
  EXPECT_EQ(lane.vlan, segment.vlan);
  EXPECT_FALSE(segment.syn || segment.fin || segment.rst);
  EXPECT_EQ(segment.payload.size(), kHeaderSize);
  if (segment.payload.size() == kHeaderSize) {
    EXPECT_EQ(read_le32(segment.payload.data()), kHeaderSize - 8);
    EXPECT_EQ(read_le32(segment.payload.data() + 8), lane.message_id);
  }
  return true;
}

// frame() with 12 bytes of TCP options (timestamps, as Linux sends them).
Bytes with_tcp_options(Bytes frame, size_t ip_at) {
  const size_t tcp_at = ip_at + 20;
  frame.insert(frame.begin() + static_cast<long>(tcp_at + 20),
               {1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2});
  frame[tcp_at + 12] = 0x80;
  const size_t total = static_cast<size_t>(frame[ip_at + 2] << 8 | frame[ip_at + 3]) + 12;
  frame[ip_at + 2] = static_cast<uint8_t>(total >> 8);
  frame[ip_at + 3] = static_cast<uint8_t>(total);
  return frame;
}

std::vector<Bytes> lone_keepalives() {
  const Bytes keepalive = testing::pdu(0x0000), ack = testing::pdu(0x0100);
  std::vector<Bytes> frames = {
      testing::frame(kPhone, kCm, 1000, keepalive),
      testing::frame(kCm, kPhone, 9000, ack, 0x10),
      testing::frame(kPhone, kCm, 0xfffffffa, keepalive, 0x18, 112),  // voice VLAN, seq wraps
      with_tcp_options(testing::frame(kPhone, kCm, 1000, keepalive), 14),
      with_tcp_options(testing::frame(kCm, kPhone, 9000, ack, 0x18, 112), 18),
  };
  Bytes padded = testing::frame(kPhone, kCm, 1000, keepalive);
  padded.resize(padded.size() + 6, 0);  // Ethernet padding past the IP length: not payload
  frames.push_back(padded);
  return frames;
}

TEST(KeepAliveFrame, AcceptsLoneKeepAlivesAsDecodePacketDecodesThem) {
  for (const Bytes& frame : lone_keepalives()) EXPECT_TRUE(accepted_consistently(frame));
}

TEST(KeepAliveFrame, EverythingElseIsLeftToTheGeneralPath) {
  const Bytes keepalive = testing::pdu(0x0000);
  Bytes two = keepalive;
  two.insert(two.end(), keepalive.begin(), keepalive.end());
  Bytes fragment = testing::frame(kPhone, kCm, 1000, keepalive);
  fragment[14 + 6] = 0x20;  // more fragments
  Bytes qinq = testing::frame(kPhone, kCm, 1000, keepalive, 0x18, 112);
  qinq[12] = 0x88, qinq[13] = 0xa8;
  const std::vector<Bytes> others = {
      testing::frame(kPhone, kCm, 1000, keepalive, 0x02),  // SYN
      testing::frame(kPhone, kCm, 1000, keepalive, 0x19),  // FIN
      testing::frame(kPhone, kCm, 1000, keepalive, 0x14),  // RST
      testing::frame(kPhone, kCm, 1000, two),
      testing::frame(kPhone, kCm, 1000, testing::register_pdu("SEP0017943A98BA")),
      testing::frame(kPhone, kCm, 1000, testing::pdu(0x0027)),  // Unregister: a header too
      testing::frame(kPhone, kCm, 1000, {}),
      fragment,
      qinq,
  };
  for (const Bytes& frame : others) EXPECT_FALSE(accepted_consistently(frame));
  KeepAliveFrame lane;
  const Bytes ok = testing::frame(kPhone, kCm, 1000, keepalive);
  EXPECT_FALSE(match_keepalive_frame(kLinkRaw, Bytes(ok.begin() + 14, ok.end()), lane));
}

TEST(KeepAliveFrame, NoMangledOrTruncatedFrameIsAcceptedDifferently) {
  size_t accepted = 0, tried = 0;
  for (const Bytes& base : lone_keepalives()) {
    for (size_t n = 0; n < base.size(); ++n) {
      accepted += accepted_consistently(Bytes(base.begin(), base.begin() + static_cast<long>(n)));
      ++tried;
    }
    for (size_t at = 0; at < base.size(); ++at) {
      for (const uint8_t value :
           {uint8_t{0}, uint8_t{0xff}, static_cast<uint8_t>(base[at] ^ 1),
            static_cast<uint8_t>(base[at] ^ 0x10), static_cast<uint8_t>(base[at] + 0x40)}) {
        Bytes mangled = base;
        mangled[at] = value;
        accepted += accepted_consistently(mangled);
        ++tried;
      }
    }
  }
  // Bytes the matcher does not look at (MACs, TTL, checksums, ...) leave a frame acceptable.
  EXPECT_GT(accepted, 0u);
  EXPECT_LT(accepted, tried);
}

TEST(KeepAliveFrame, TheLanesKeyHashAndTagNameTheGeneralPathsConnection) {
  for (uint8_t last = 1; last < 200; last += 7) {
    const Bytes frame =
        testing::frame({last, static_cast<uint16_t>(40000 + last)}, kCm, 1, testing::pdu(0x0000));
    KeepAliveFrame lane;
    ASSERT_TRUE(match_keepalive_frame(kLinkEthernet, frame, lane));
    TcpSegment segment;
    ASSERT_EQ(decode_packet(kLinkEthernet, frame, segment), DecodeOutcome::kTcp);
    const ConnectionKey key{segment.src, segment.dst, segment.src_port, segment.dst_port};
    EXPECT_TRUE(key.is_v4(lane.src_ip, lane.dst_ip, lane.src_port, lane.dst_port));
    EXPECT_FALSE(key.is_v4(lane.src_ip, lane.dst_ip, lane.src_port, lane.dst_port + 1));
    EXPECT_EQ(ConnectionKeyHash{}(key),
              ConnectionKeyHash::of_v4(lane.src_ip, lane.dst_ip, lane.src_port, lane.dst_port));
    EXPECT_EQ(lane_tag(key), lane_tag(lane.src_ip, lane.dst_ip, lane.src_port, lane.dst_port));
    EXPECT_NE(lane_tag(key), lane_tag(lane.src_ip, lane.dst_ip, lane.src_port, lane.dst_port + 1));
    ConnectionKey v6 = key;  // an IPv6 address ending in the same 4 bytes is another phone
    v6.phone_ip.v4 = false;
    EXPECT_FALSE(v6.is_v4(lane.src_ip, lane.dst_ip, lane.src_port, lane.dst_port));
  }
}

}  // namespace
}  // namespace regwatch::agent::sccp
