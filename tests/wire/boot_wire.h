#pragma once
// Builds the boot chain's packets for tests: Ethernet/IPv4/UDP frames around DHCP (RFC 2131)
// and TFTP (RFC 1350) payloads, as a phone, dnsmasq or CUCM's TFTP service put them on the wire.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace regwatch::agent::boot::testing {

using Bytes = std::vector<uint8_t>;

struct Udp {
  std::array<uint8_t, 4> ip;
  uint16_t port;
};

inline Bytes udp_frame(Udp from, Udp to, const Bytes& payload, uint16_t vlan = 0) {
  Bytes b(12, 0x02);
  if (vlan) b.insert(b.end(), {0x81, 0x00, uint8_t(vlan >> 8), uint8_t(vlan)});
  b.insert(b.end(), {0x08, 0x00});
  const size_t total = 20 + 8 + payload.size();
  b.insert(b.end(), {0x45, 0, uint8_t(total >> 8), uint8_t(total), 0, 1, 0x40, 0, 64, 17, 0, 0});
  b.insert(b.end(), from.ip.begin(), from.ip.end());
  b.insert(b.end(), to.ip.begin(), to.ip.end());
  const size_t udp_len = 8 + payload.size();
  b.insert(b.end(), {uint8_t(from.port >> 8), uint8_t(from.port), uint8_t(to.port >> 8),
                     uint8_t(to.port), uint8_t(udp_len >> 8), uint8_t(udp_len), 0, 0});
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

struct DhcpOptions {
  uint8_t type = 1;                                  // 1 discover, 2 offer, 3 request, 5 ack, 6 nak
  std::vector<std::array<uint8_t, 4>> tftp_servers;  // option 150
  std::string vendor_class;                          // option 60
  std::array<uint8_t, 4> server_id{};                // option 54 when not 0
  uint32_t lease_s = 0;                              // option 51 when not 0
};

inline Bytes dhcp(uint8_t op, uint32_t xid, const std::array<uint8_t, 6>& mac,
                  const std::array<uint8_t, 4>& yiaddr, const DhcpOptions& o) {
  Bytes b(236, 0);
  b[0] = op;
  b[1] = 1;
  b[2] = 6;
  for (int i = 0; i < 4; ++i) b[4 + i] = uint8_t(xid >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) b[16 + i] = yiaddr[i];
  for (int i = 0; i < 6; ++i) b[28 + i] = mac[i];
  b.insert(b.end(), {99, 130, 83, 99, 53, 1, o.type});
  if (!o.tftp_servers.empty()) {
    b.push_back(150);
    b.push_back(uint8_t(4 * o.tftp_servers.size()));
    for (const auto& s : o.tftp_servers) b.insert(b.end(), s.begin(), s.end());
  }
  if (!o.vendor_class.empty()) {
    b.push_back(60);
    b.push_back(uint8_t(o.vendor_class.size()));
    b.insert(b.end(), o.vendor_class.begin(), o.vendor_class.end());
  }
  if (o.server_id != std::array<uint8_t, 4>{}) {
    b.insert(b.end(), {54, 4});
    b.insert(b.end(), o.server_id.begin(), o.server_id.end());
  }
  if (o.lease_s) {
    b.insert(b.end(), {51, 4, uint8_t(o.lease_s >> 24), uint8_t(o.lease_s >> 16),
                       uint8_t(o.lease_s >> 8), uint8_t(o.lease_s)});
  }
  b.push_back(255);
  return b;
}

inline Bytes tftp_rrq(const std::string& file) {
  Bytes b{0, 1};
  b.insert(b.end(), file.begin(), file.end());
  b.push_back(0);
  for (char c : std::string("octet")) b.push_back(uint8_t(c));
  b.push_back(0);
  return b;
}

inline Bytes tftp_data(uint16_t block, const Bytes& data) {
  Bytes b{0, 3, uint8_t(block >> 8), uint8_t(block)};
  b.insert(b.end(), data.begin(), data.end());
  return b;
}

inline Bytes tftp_ack(uint16_t block) {
  return {0, 4, uint8_t(block >> 8), uint8_t(block)};
}

inline Bytes tftp_error(uint16_t code, const std::string& text) {
  Bytes b{0, 5, uint8_t(code >> 8), uint8_t(code)};
  b.insert(b.end(), text.begin(), text.end());
  b.push_back(0);
  return b;
}

inline Bytes text_bytes(const std::string& text) {
  return Bytes(text.begin(), text.end());
}

// A phone config naming its CM group and load, as CUCM writes SEP<MAC>.cnf.xml.
inline std::string cnf_xml(const std::vector<std::string>& cms, const std::string& load) {
  std::string members;
  int priority = 0;
  for (const auto& cm : cms) {
    members += "<member priority=\"" + std::to_string(priority++) + "\"><callManager><name>" + cm +
               "</name><ports><ethernetPhonePort>2000"
               "</ethernetPhonePort></ports><processNodeName>" +
               cm + "</processNodeName></callManager></member>";
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><device><deviceProtocol>SCCP"
         "</deviceProtocol><devicePool><callManagerGroup><name>Default</name><members>" +
         members + "</members></callManagerGroup></devicePool><loadInformation>" + load +
         "</loadInformation><deviceSecurityMode>1</deviceSecurityMode></device>";
}

}  // namespace regwatch::agent::boot::testing
