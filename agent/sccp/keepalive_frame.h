#pragma once
// The one frame shape that is nine in ten of an SCCP steady state, recognised straight from
// the frame's bytes: Ethernet (untagged or one 802.1Q tag), IPv4 without options and not a
// fragment, TCP with none of SYN, FIN and RST, and a 12-byte payload that is exactly one
// KeepAlive or KeepAliveAck.
//
// Why: the analyzer handles such a frame without building a TcpSegment and a ConnectionKey
// (docs/performance.md). Every frame this does not accept goes through decode_packet() as
// before, so it must accept only frames that decode_packet() decodes to the same addresses,
// ports, sequence number, VLAN and payload (keepalive_frame_test checks that on real, built
// and mangled frames). Rejecting too much costs speed, never a result.
//
// Pure, inline (it runs per packet), never reads past the span.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>

#include "agent/capture/packet_decoder.h"
#include "agent/sccp/phone_tracker.h"
#include "agent/sccp/sccp_message.h"

namespace regwatch::agent::sccp {

struct KeepAliveFrame {
  // The addresses' 4 bytes as they lie in the frame (copied, not byte-swapped), the way
  // ConnectionKey::is_v4 and ConnectionKeyHash::of_v4 take them.
  uint32_t src_ip = 0, dst_ip = 0;
  uint16_t src_port = 0, dst_port = 0;
  uint32_t seq = 0;
  uint32_t message_id = 0;  // kKeepAlive or kKeepAliveAck
  uint16_t vlan = 0;        // 0 when untagged
};

// A 32-bit tag of an IPv4 connection from its addresses and ports as KeepAliveFrame has them
// (phone first), for the analyzer's cache of the connections whose KeepAlive is due: one
// multiply, where the flow table's hash takes four in a chain that every packet waited for.
// Only a hint: a connection found by it is still checked against its whole key.
inline uint32_t lane_tag(uint32_t phone_ip, uint32_t cm_ip, uint16_t phone_port, uint16_t cm_port) {
  const uint64_t x = uint64_t{phone_ip ^ cm_ip} << 32 | uint32_t{phone_port} << 16 | cm_port;
  return static_cast<uint32_t>((x * 0x9E3779B97F4A7C15ULL) >> 32);
}
// The same tag of a key (an IPv4 one is held mapped, ::ffff:a.b.c.d; any other gets a tag no
// frame's matters for).
inline uint32_t lane_tag(const ConnectionKey& key) {
  uint32_t phone_ip, cm_ip;
  std::memcpy(&phone_ip, key.phone_ip.bytes.data() + 12, 4);
  std::memcpy(&cm_ip, key.cm_ip.bytes.data() + 12, 4);
  return lane_tag(phone_ip, cm_ip, key.phone_port, key.cm_port);
}

inline bool match_keepalive_frame(int link_type, std::span<const uint8_t> frame,
                                  KeepAliveFrame& out) {
  auto be16 = [](const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); };
  if (link_type != capture::kLinkEthernet || frame.size() < 14) return false;
  const uint8_t* p = frame.data();
  size_t ip_at = 14;
  uint16_t type = be16(p + 12);
  out.vlan = 0;
  if (type == 0x8100) {
    if (frame.size() < 18) return false;
    out.vlan = be16(p + 14) & 0x0fff;
    type = be16(p + 16);
    ip_at = 18;
  }
  if (type != 0x0800 || frame.size() < ip_at + 20) return false;
  const uint8_t* ip = p + ip_at;
  // Version 4 with a 20-byte header, not a fragment (no MF flag, offset 0), TCP.
  if (ip[0] != 0x45 || (be16(ip + 6) & 0x3fff) != 0 || ip[9] != 6) return false;
  const size_t total = be16(ip + 2);
  if (total < 20) return false;
  // As decode_packet: the IP length over the frame's (Ethernet pads), never past the capture.
  const size_t tcp_size = std::min(total, frame.size() - ip_at) - 20;
  const uint8_t* tcp = ip + 20;
  if (tcp_size < 20) return false;
  const size_t tcp_header = static_cast<size_t>(tcp[12] >> 4) * 4;
  if (tcp_header < 20 || tcp_size != tcp_header + kHeaderSize || (tcp[13] & 0x07) != 0)
    return false;
  const uint8_t* pdu = tcp + tcp_header;
  if (read_le32(pdu) != kHeaderSize - 8) return false;
  out.message_id = read_le32(pdu + 8);
  if (out.message_id != kKeepAlive && out.message_id != kKeepAliveAck) return false;
  std::memcpy(&out.src_ip, ip + 12, 4);
  std::memcpy(&out.dst_ip, ip + 16, 4);
  out.src_port = be16(tcp);
  out.dst_port = be16(tcp + 2);
  out.seq = static_cast<uint32_t>(be16(tcp + 4)) << 16 | be16(tcp + 6);
  return true;
}

}  // namespace regwatch::agent::sccp
