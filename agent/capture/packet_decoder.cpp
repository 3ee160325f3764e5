#include "agent/capture/packet_decoder.h"

#include <cstdio>

namespace regwatch::agent::capture {
namespace {

uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86DD;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88A8;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;

// UDP in the TCP segment's address, port and payload fields (no seq, no flags): see
// decode_packet's two-output overload.
DecodeOutcome decode_udp(std::span<const uint8_t> bytes, TcpSegment& out) {
  if (bytes.size() < 8) return DecodeOutcome::kTruncated;
  const size_t length = be16(bytes.data() + 4);
  if (length < 8) return DecodeOutcome::kMalformed;
  out.src_port = be16(bytes.data());
  out.dst_port = be16(bytes.data() + 2);
  out.payload = bytes.subspan(8, std::min(length, bytes.size()) - 8);
  return DecodeOutcome::kUdp;
}

DecodeOutcome decode_tcp(std::span<const uint8_t> bytes, TcpSegment& out) {
  if (bytes.size() < 20) return DecodeOutcome::kTruncated;
  const size_t offset = static_cast<size_t>(bytes[12] >> 4) * 4;
  if (offset < 20) return DecodeOutcome::kMalformed;
  if (bytes.size() < offset) return DecodeOutcome::kTruncated;
  out.src_port = be16(bytes.data());
  out.dst_port = be16(bytes.data() + 2);
  out.seq = be32(bytes.data() + 4);
  out.ack = be32(bytes.data() + 8);
  const uint8_t flags = bytes[13];
  out.fin = flags & 0x01;
  out.syn = flags & 0x02;
  out.rst = flags & 0x04;
  out.has_ack = flags & 0x10;
  out.payload = bytes.subspan(offset);
  return DecodeOutcome::kTcp;
}

DecodeOutcome decode_ipv4(std::span<const uint8_t> bytes, TcpSegment& out, bool udp) {
  if (bytes.size() < 20) return DecodeOutcome::kTruncated;
  if ((bytes[0] >> 4) != 4) return DecodeOutcome::kMalformed;
  const size_t header = static_cast<size_t>(bytes[0] & 0x0f) * 4;
  if (header < 20) return DecodeOutcome::kMalformed;
  const size_t total = be16(bytes.data() + 2);
  if (total < header) return DecodeOutcome::kMalformed;
  if (bytes.size() < header) return DecodeOutcome::kTruncated;
  // Trust the IP length over the frame (Ethernet pads short frames), but
  // never read past what was captured.
  const size_t usable = std::min(total, bytes.size());
  const uint16_t fragment = be16(bytes.data() + 6);
  if ((fragment & 0x1fff) != 0 || (fragment & 0x2000) != 0) return DecodeOutcome::kFragment;
  if (bytes[9] != kProtoTcp && (!udp || bytes[9] != kProtoUdp)) return DecodeOutcome::kNotTcp;
  out.src = IpAddress{};
  out.dst = IpAddress{};
  out.src.bytes[10] = out.src.bytes[11] = out.dst.bytes[10] = out.dst.bytes[11] = 0xff;
  std::copy(bytes.begin() + 12, bytes.begin() + 16, out.src.bytes.begin() + 12);
  std::copy(bytes.begin() + 16, bytes.begin() + 20, out.dst.bytes.begin() + 12);
  out.src.v4 = out.dst.v4 = true;
  if (bytes[9] == kProtoUdp) return decode_udp(bytes.subspan(header, usable - header), out);
  return decode_tcp(bytes.subspan(header, usable - header), out);
}

DecodeOutcome decode_ipv6(std::span<const uint8_t> bytes, TcpSegment& out, bool udp) {
  if (bytes.size() < 40) return DecodeOutcome::kTruncated;
  if ((bytes[0] >> 4) != 6) return DecodeOutcome::kMalformed;
  const size_t payload_length = be16(bytes.data() + 4);
  out.src = IpAddress{};
  out.dst = IpAddress{};
  std::copy(bytes.begin() + 8, bytes.begin() + 24, out.src.bytes.begin());
  std::copy(bytes.begin() + 24, bytes.begin() + 40, out.dst.bytes.begin());
  out.src.v4 = out.dst.v4 = false;
  uint8_t next = bytes[6];
  size_t offset = 40;
  const size_t end = std::min(bytes.size(), 40 + payload_length);
  // Walk extension headers: hop-by-hop 0, routing 43, destination options 60.
  for (int hops = 0; hops < 8 && (next == 0 || next == 43 || next == 60); ++hops) {
    if (end < offset + 8) return DecodeOutcome::kTruncated;
    const size_t length = (static_cast<size_t>(bytes[offset + 1]) + 1) * 8;
    next = bytes[offset];
    offset += length;
  }
  if (next == 44) return DecodeOutcome::kFragment;
  if (next != kProtoTcp && (!udp || next != kProtoUdp)) return DecodeOutcome::kNotTcp;
  if (offset > end) return DecodeOutcome::kTruncated;
  if (next == kProtoUdp) return decode_udp(bytes.subspan(offset, end - offset), out);
  return decode_tcp(bytes.subspan(offset, end - offset), out);
}

DecodeOutcome decode_by_ethertype(uint16_t type, std::span<const uint8_t> bytes, TcpSegment& out,
                                  bool udp) {
  if (type == kEtherIpv4) return decode_ipv4(bytes, out, udp);
  if (type == kEtherIpv6) return decode_ipv6(bytes, out, udp);
  return DecodeOutcome::kNotIp;
}

DecodeOutcome decode_by_ip_version(std::span<const uint8_t> bytes, TcpSegment& out, bool udp) {
  if (bytes.empty()) return DecodeOutcome::kTruncated;
  if ((bytes[0] >> 4) == 4) return decode_ipv4(bytes, out, udp);
  if ((bytes[0] >> 4) == 6) return decode_ipv6(bytes, out, udp);
  return DecodeOutcome::kNotIp;
}

}  // namespace

std::string IpAddress::to_string() const {
  char text[64];
  if (v4) {
    std::snprintf(text, sizeof text, "%u.%u.%u.%u", bytes[12], bytes[13], bytes[14], bytes[15]);
    return text;
  }
  std::string out;
  for (size_t i = 0; i < 16; i += 2) {
    std::snprintf(text, sizeof text, "%s%x", i ? ":" : "", be16(bytes.data() + i));
    out += text;
  }
  return out;  // uncompressed form: unambiguous, and rare on voice VLANs
}

std::string_view outcome_name(DecodeOutcome outcome) {
  switch (outcome) {
    case DecodeOutcome::kTcp: return "tcp";
    case DecodeOutcome::kUdp: return "udp";
    case DecodeOutcome::kNotIp: return "not_ip";
    case DecodeOutcome::kNotTcp: return "not_tcp";
    case DecodeOutcome::kFragment: return "ip_fragment";
    case DecodeOutcome::kTruncated: return "truncated_header";
    case DecodeOutcome::kMalformed: return "malformed_header";
    case DecodeOutcome::kUnsupportedLink: return "unsupported_link_type";
  }
  return "unknown";
}

DecodeOutcome decode_packet(int link_type, std::span<const uint8_t> frame, TcpSegment& out) {
  return decode_transport(link_type, frame, out, false);
}

DecodeOutcome decode_packet(int link_type, std::span<const uint8_t> frame, TcpSegment& tcp,
                            UdpDatagram& udp) {
  const DecodeOutcome outcome = decode_transport(link_type, frame, tcp, true);
  if (outcome == DecodeOutcome::kUdp)
    udp = UdpDatagram{tcp.src, tcp.dst, tcp.src_port, tcp.dst_port, tcp.vlan, tcp.payload};
  return outcome;
}

DecodeOutcome decode_transport(int link_type, std::span<const uint8_t> frame, TcpSegment& out,
                               bool udp) {
  out.vlan = 0;
  switch (link_type) {
    case kLinkEthernet: {
      if (frame.size() < 14) return DecodeOutcome::kTruncated;
      uint16_t type = be16(frame.data() + 12);
      size_t offset = 14;
      for (int tags = 0; tags < 4 && (type == kEtherVlan || type == kEtherQinQ); ++tags) {
        if (frame.size() < offset + 4) return DecodeOutcome::kTruncated;
        out.vlan = be16(frame.data() + offset) & 0x0fff;
        type = be16(frame.data() + offset + 2);
        offset += 4;
      }
      return decode_by_ethertype(type, frame.subspan(offset), out, udp);
    }
    case kLinkLinuxSll:
      if (frame.size() < 16) return DecodeOutcome::kTruncated;
      return decode_by_ethertype(be16(frame.data() + 14), frame.subspan(16), out, udp);
    case kLinkLinuxSll2:
      if (frame.size() < 20) return DecodeOutcome::kTruncated;
      return decode_by_ethertype(be16(frame.data()), frame.subspan(20), out, udp);
    case kLinkNull:
    case kLinkLoop:
      // A 4-byte address family in the capturing host's byte order: look at the IP version instead.
      if (frame.size() < 4) return DecodeOutcome::kTruncated;
      return decode_by_ip_version(frame.subspan(4), out, udp);
    case kLinkRaw: return decode_by_ip_version(frame, out, udp);
    default: return DecodeOutcome::kUnsupportedLink;
  }
}

}  // namespace regwatch::agent::capture
