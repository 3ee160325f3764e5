#pragma once
// Builds SCCP PDUs and Ethernet/IPv4/TCP frames for tests: the bytes a phone
// and a CM put on the wire (Wireshark epan/dissectors/packet-skinny.c).
#include <cstdint>
#include <string>
#include <vector>

namespace regwatch::agent::sccp::testing {

using Bytes = std::vector<uint8_t>;

inline void put32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void put_chars(Bytes& b, const std::string& text, size_t n) {
  for (size_t i = 0; i < n; ++i) b.push_back(i < text.size() ? static_cast<uint8_t>(text[i]) : 0);
}
inline Bytes pdu(uint32_t id, const Bytes& payload = {}) {
  Bytes b;
  put32(b, static_cast<uint32_t>(4 + payload.size()));
  put32(b, 0);
  put32(b, id);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}
inline Bytes register_pdu(const std::string& name, uint32_t device_type = 115) {
  Bytes p;
  put_chars(p, name, 16);
  put32(p, 0);                                                // userId
  put32(p, 1);                                                // instance
  for (uint8_t octet : {10, 20, 31, 99}) p.push_back(octet);  // station IP, network order
  put32(p, device_type);
  put32(p, 5);      // maxStreams
  put32(p, 0);      // activeStreams
  p.push_back(20);  // protocol version
  p.push_back(0);
  p.push_back(0);
  p.push_back(0);
  put32(p, 0);
  return pdu(0x0001, p);
}
inline Bytes register_ack_pdu(uint32_t keepalive = 30, uint32_t secondary = 60) {
  Bytes p;
  put32(p, keepalive);
  put_chars(p, "M/D/YA", 6);
  p.push_back(0);
  p.push_back(0);
  put32(p, secondary);
  p.push_back(20);
  p.push_back(0);
  p.push_back(0);
  p.push_back(0);
  return pdu(0x0081, p);
}
inline Bytes code_pdu(uint32_t id, uint32_t code) {
  Bytes p;
  put32(p, code);
  return pdu(id, p);
}
inline Bytes reject_pdu(const std::string& text) {
  Bytes p;
  put_chars(p, text, 32);
  return pdu(0x009D, p);
}

// Ethernet + (optional 802.1Q) + IPv4 + TCP around a payload.
struct Endpoint {
  uint8_t ip_last;  // 10.0.0.<ip_last>
  uint16_t port;
};
inline Bytes frame(Endpoint from, Endpoint to, uint32_t seq, const Bytes& payload,
                   uint8_t flags = 0x18, uint16_t vlan = 0) {
  Bytes b(12, 0x02);  // MACs
  if (vlan) {
    b.push_back(0x81);
    b.push_back(0x00);
    b.push_back(static_cast<uint8_t>(vlan >> 8));
    b.push_back(static_cast<uint8_t>(vlan));
  }
  b.push_back(0x08);
  b.push_back(0x00);
  const size_t total = 20 + 20 + payload.size();
  const uint8_t ip[] = {0x45,
                        0,
                        static_cast<uint8_t>(total >> 8),
                        static_cast<uint8_t>(total),
                        0,
                        1,
                        0x40,
                        0,
                        64,
                        6,
                        0,
                        0,
                        10,
                        0,
                        0,
                        from.ip_last,
                        10,
                        0,
                        0,
                        to.ip_last};
  b.insert(b.end(), std::begin(ip), std::end(ip));
  auto be16 = [&](uint16_t v) {
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
  };
  be16(from.port);
  be16(to.port);
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(seq >> (8 * i)));
  for (int i = 0; i < 4; ++i) b.push_back(0);  // ack
  b.push_back(0x50);
  b.push_back(flags);
  be16(65535);
  be16(0);
  be16(0);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

}  // namespace regwatch::agent::sccp::testing
