#pragma once
// From one captured frame to the TCP segment or UDP datagram inside it: Ethernet (with 802.1Q
// / 802.1ad tags: the voice VLAN), Linux cooked capture v1 and v2 (`any`),
// BSD loopback / null, raw IP; IPv4 (fragments counted and skipped) and IPv6
// (extension headers walked). Pure: no I/O, no allocation of the payload
// (the segment points into the frame).
//
// Not TCP, or not decodable: a named outcome ("not_tcp", "truncated_ipv4",
// ...) that the caller counts; never an exception.
#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace regwatch::agent::capture {

// libpcap DLT_* values we decode.
inline constexpr int kLinkNull = 0;
inline constexpr int kLinkEthernet = 1;
inline constexpr int kLinkRaw = 101;
inline constexpr int kLinkLoop = 108;
inline constexpr int kLinkLinuxSll = 113;
inline constexpr int kLinkLinuxSll2 = 276;

// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped into ::ffff:a.b.c.d), so
// flows of both families share one key type.
struct IpAddress {
  std::array<uint8_t, 16> bytes{};
  bool v4 = true;
  auto operator<=>(const IpAddress&) const = default;
  // Equality is on the hot path (hash lookups per packet): compare words, not memcmp.
  bool operator==(const IpAddress& other) const {
    uint64_t a[2], b[2];
    std::memcpy(a, bytes.data(), 16);
    std::memcpy(b, other.bytes.data(), 16);
    return a[0] == b[0] && a[1] == b[1] && v4 == other.v4;
  }
  std::string to_string() const;
};

struct TcpSegment {
  IpAddress src, dst;
  uint16_t src_port = 0, dst_port = 0;
  uint32_t seq = 0, ack = 0;
  bool syn = false, fin = false, rst = false, has_ack = false;
  uint16_t vlan = 0;  // innermost 802.1Q VLAN id; 0 when untagged
  std::span<const uint8_t> payload;
};

struct UdpDatagram {
  IpAddress src, dst;
  uint16_t src_port = 0, dst_port = 0;
  uint16_t vlan = 0;                 // innermost 802.1Q VLAN id; 0 when untagged
  std::span<const uint8_t> payload;  // the UDP length over the frame's, never past the capture
};

enum class DecodeOutcome {
  kTcp,
  kUdp,        // only from the overload that has a UdpDatagram to fill
  kNotIp,      // ARP, LLDP, CDP...: not ours, not an error
  kNotTcp,     // ICMP..., and UDP for the TCP-only overload
  kFragment,   // IP fragment: SCCP over fragmented IP is not decoded
  kTruncated,  // the frame ends inside a header
  kMalformed,  // a header field is impossible (IHL < 5, TCP offset < 5)
  kUnsupportedLink,
};

std::string_view outcome_name(DecodeOutcome outcome);

// TCP only: UDP is kNotTcp.
DecodeOutcome decode_packet(int link_type, std::span<const uint8_t> frame, TcpSegment& out);
// TCP (kTcp) or, when udp, UDP (kUdp: in out's address, port, VLAN and payload fields, the
// rest untouched); without udp, UDP is kNotTcp before its header is read. For the dispatcher,
// which builds a UdpDatagram only when there is one.
DecodeOutcome decode_transport(int link_type, std::span<const uint8_t> frame, TcpSegment& out,
                               bool udp);
// TCP into tcp (kTcp) or UDP into udp (kUdp); the other is left as it was.
DecodeOutcome decode_packet(int link_type, std::span<const uint8_t> frame, TcpSegment& tcp,
                            UdpDatagram& udp);

}  // namespace regwatch::agent::capture
