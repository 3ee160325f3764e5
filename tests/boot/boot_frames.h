#pragma once
// Builders of the boot chain's packets as a phone and its servers send them (DHCP messages,
// TFTP packets in Ethernet/IPv4/UDP frames), and a tiny pcap writer: shared by the parser
// tests, the dump test and boot_dump_main's sample capture (compared with tshark).
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regwatch::test::boot {

using Bytes = std::vector<uint8_t>;
using Ipv4 = std::array<uint8_t, 4>;

inline void put16(Bytes& out, uint16_t value) {
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}
inline void put32(Bytes& out, uint32_t value) {
  put16(out, static_cast<uint16_t>(value >> 16));
  put16(out, static_cast<uint16_t>(value));
}
inline void put_text(Bytes& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

// One DHCP message: the fixed header, the magic cookie, then the options as given (code,
// value) and END.
struct DhcpBuilder {
  uint8_t op = 1;
  uint32_t xid = 0x3903f326;
  bool broadcast = false;
  Ipv4 ciaddr{}, yiaddr{}, siaddr{}, giaddr{};
  std::array<uint8_t, 6> mac{0x00, 0x17, 0x94, 0x3a, 0x98, 0xba};
  std::vector<std::pair<uint8_t, Bytes>> options;
  bool end = true;

  DhcpBuilder& option(uint8_t code, Bytes value) {
    options.emplace_back(code, std::move(value));
    return *this;
  }
  DhcpBuilder& option(uint8_t code, std::string_view text) {
    return option(code, Bytes(text.begin(), text.end()));
  }

  Bytes build() const {
    Bytes out;
    out.push_back(op);
    out.push_back(1);  // Ethernet
    out.push_back(6);
    out.push_back(0);
    put32(out, xid);
    put16(out, 0);
    put16(out, broadcast ? 0x8000 : 0);
    for (const Ipv4* address : {&ciaddr, &yiaddr, &siaddr, &giaddr})
      out.insert(out.end(), address->begin(), address->end());
    out.insert(out.end(), mac.begin(), mac.end());
    out.resize(out.size() + 10 + 64 + 128, 0);  // chaddr padding, sname, file
    put32(out, 0x63825363);
    for (const auto& [code, value] : options) {
      out.push_back(code);
      out.push_back(static_cast<uint8_t>(value.size()));
      out.insert(out.end(), value.begin(), value.end());
    }
    if (end) out.push_back(255);
    return out;
  }
};

inline Bytes ipv4_bytes(const Ipv4& address) {
  return Bytes(address.begin(), address.end());
}
inline Bytes u32_bytes(uint32_t value) {
  Bytes out;
  put32(out, value);
  return out;
}

// TFTP packets (RFC 1350, 2347).
inline Bytes tftp_request(uint16_t opcode, std::string_view file, std::string_view mode,
                          const std::vector<std::pair<std::string, std::string>>& options = {}) {
  Bytes out;
  put16(out, opcode);
  put_text(out, file);
  out.push_back(0);
  put_text(out, mode);
  out.push_back(0);
  for (const auto& [name, value] : options) {
    put_text(out, name);
    out.push_back(0);
    put_text(out, value);
    out.push_back(0);
  }
  return out;
}
inline Bytes tftp_rrq(std::string_view file,
                      const std::vector<std::pair<std::string, std::string>>& options = {}) {
  return tftp_request(1, file, "octet", options);
}
inline Bytes tftp_oack(const std::vector<std::pair<std::string, std::string>>& options) {
  Bytes out;
  put16(out, 6);
  for (const auto& [name, value] : options) {
    put_text(out, name);
    out.push_back(0);
    put_text(out, value);
    out.push_back(0);
  }
  return out;
}
inline Bytes tftp_data(uint16_t block, size_t bytes) {
  Bytes out;
  put16(out, 3);
  put16(out, block);
  for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>('<' + i % 40));
  return out;
}
inline Bytes tftp_ack(uint16_t block) {
  Bytes out;
  put16(out, 4);
  put16(out, block);
  return out;
}
inline Bytes tftp_error(uint16_t code, std::string_view text) {
  Bytes out;
  put16(out, 5);
  put16(out, code);
  put_text(out, text);
  out.push_back(0);
  return out;
}

// An Ethernet II frame with IPv4 and UDP around payload (checksums left 0: none).
inline Bytes udp_frame(const Ipv4& src, uint16_t src_port, const Ipv4& dst, uint16_t dst_port,
                       const Bytes& payload, uint16_t vlan = 0) {
  Bytes out = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01, 0x00, 0x17, 0x94, 0x3a, 0x98, 0xba};
  if (vlan) {
    put16(out, 0x8100);
    put16(out, vlan);
  }
  put16(out, 0x0800);
  out.push_back(0x45);
  out.push_back(0);
  put16(out, static_cast<uint16_t>(20 + 8 + payload.size()));
  put16(out, 0x1234);
  put16(out, 0);  // no fragmentation
  out.push_back(64);
  out.push_back(17);
  put16(out, 0);
  out.insert(out.end(), src.begin(), src.end());
  out.insert(out.end(), dst.begin(), dst.end());
  put16(out, src_port);
  put16(out, dst_port);
  put16(out, static_cast<uint16_t>(8 + payload.size()));
  put16(out, 0);
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

struct TimedFrame {
  int64_t time_us = 0;
  Bytes frame;
};

// A classic pcap file (microsecond timestamps, Ethernet).
inline bool write_pcap(const std::string& path, const std::vector<TimedFrame>& frames) {
  Bytes out;
  auto le32 = [&out](uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  auto le16 = [&out](uint16_t v) {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
  };
  le32(0xa1b2c3d4);
  le16(2);
  le16(4);
  le32(0);
  le32(0);
  le32(65535);
  le32(1);
  for (const TimedFrame& f : frames) {
    le32(static_cast<uint32_t>(f.time_us / 1000000));
    le32(static_cast<uint32_t>(f.time_us % 1000000));
    le32(static_cast<uint32_t>(f.frame.size()));
    le32(static_cast<uint32_t>(f.frame.size()));
    out.insert(out.end(), f.frame.begin(), f.frame.end());
  }
  FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return false;
  const bool ok = std::fwrite(out.data(), 1, out.size(), file) == out.size();
  return std::fclose(file) == 0 && ok;
}

// A phone's boot on the wire: DHCP with option 150 and 66, then the trust files (not found),
// then its signed config over TFTP with options; and packets the dump must skip or name as
// errors. The reference for the dump test and for the tshark comparison.
inline std::vector<TimedFrame> sample_boot_capture() {
  const Ipv4 any{0, 0, 0, 0}, all{255, 255, 255, 255}, phone{10, 1, 20, 31},
      dhcp_server{10, 1, 20, 1}, tftp{10, 1, 1, 5};
  std::vector<TimedFrame> frames;
  int64_t t = 1'765'000'000'000'000;
  auto add = [&](Bytes frame) { frames.push_back({t += 1500, std::move(frame)}); };
  const Bytes client_id = {0x01, 0x00, 0x17, 0x94, 0x3a, 0x98, 0xba};
  const Bytes parameters = {1, 3, 6, 15, 42, 66, 150};

  DhcpBuilder discover;
  discover.broadcast = true;
  discover.option(53, Bytes{1})
      .option(61, client_id)
      .option(57, Bytes{0x05, 0xdc})
      .option(60, "Cisco Systems, Inc. IP Phone CP-7941G\0")
      .option(12, "SEP0017943A98BA")
      .option(55, parameters);
  add(udp_frame(any, 68, all, 67, discover.build()));

  DhcpBuilder offer;
  offer.op = 2;
  offer.broadcast = true;
  offer.yiaddr = phone;
  offer.option(53, Bytes{2})
      .option(54, ipv4_bytes(dhcp_server))
      .option(51, u32_bytes(86400))
      .option(1, Bytes{255, 255, 255, 0})
      .option(3, ipv4_bytes(dhcp_server))
      .option(150, Bytes{10, 1, 1, 5, 10, 1, 1, 6})
      .option(66, "tftp.example.com");
  add(udp_frame(dhcp_server, 67, all, 68, offer.build()));

  DhcpBuilder request;
  request.broadcast = true;
  request.option(53, Bytes{3})
      .option(61, client_id)
      .option(50, ipv4_bytes(phone))
      .option(54, ipv4_bytes(dhcp_server))
      .option(12, "SEP0017943A98BA")
      .option(55, parameters);
  add(udp_frame(any, 68, all, 67, request.build()));

  DhcpBuilder ack = offer;
  ack.options[0].second = Bytes{5};
  add(udp_frame(dhcp_server, 67, all, 68, ack.build()));

  // Not DHCP or TFTP: skipped (a DNS query).
  add(udp_frame(phone, 40000, dhcp_server, 53, Bytes{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}));

  uint16_t client_port = 49152;
  uint16_t server_port = 50001;
  for (const char* missing : {"CTLSEP0017943A98BA.tlv", "ITLSEP0017943A98BA.tlv", "ITLFile.tlv"}) {
    add(udp_frame(phone, client_port, tftp, 69, tftp_rrq(missing)));
    add(udp_frame(tftp, server_port, phone, client_port, tftp_error(1, "File not found")));
    ++client_port, ++server_port;
  }
  add(udp_frame(phone, client_port, tftp, 69,
                tftp_rrq("SEP0017943A98BA.cnf.xml.sgn", {{"blksize", "512"}, {"tsize", "0"}})));
  add(udp_frame(tftp, server_port, phone, client_port,
                tftp_oack({{"blksize", "512"}, {"tsize", "612"}})));
  add(udp_frame(phone, client_port, tftp, server_port, tftp_ack(0)));
  add(udp_frame(tftp, server_port, phone, client_port, tftp_data(1, 512)));
  add(udp_frame(phone, client_port, tftp, server_port, tftp_ack(1)));
  add(udp_frame(tftp, server_port, phone, client_port, tftp_data(2, 100)));
  add(udp_frame(phone, client_port, tftp, server_port, tftp_ack(2)));

  // A DHCP message whose option 150 claims more bytes than it has: named as an error.
  Bytes broken = request.build();
  broken.back() = 150;  // END becomes option 150 with no length byte
  add(udp_frame(any, 68, all, 67, broken));
  // The same DHCP in the voice VLAN's 802.1Q tag.
  add(udp_frame(any, 68, all, 67, discover.build(), 100));
  return frames;
}

}  // namespace regwatch::test::boot
