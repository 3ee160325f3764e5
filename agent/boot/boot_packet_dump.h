#pragma once
// What `regwatch-agent --decode-pcap FILE` prints: one compact JSON line per DHCP packet (UDP
// port 67 or 68) and per TFTP packet (UDP port 69, or a datagram to or from the address and
// port of a client that sent an RRQ/WRQ earlier: the transfer's server port is ephemeral),
// decoded by the same parsers the analyzers use. For people checking what the agent sees in a
// capture, and for comparing the parsers with tshark.
//
//   {"frame":3,"time_us":...,"proto":"dhcp","op":1,"type":"discover","xid":"0x3903f326",...}
//   {"frame":9,"time_us":...,"proto":"tftp","opcode":"rrq","file":"CTLSEP0017943A98BA.tlv",...}
//   {"frame":12,"time_us":...,"proto":"dhcp","error":"truncated_option"}  (does not parse)
//
// Frame numbers count every packet given, from 1, as tshark's frame.number does. Every line
// also names the datagram's "src" and "dst" as "address:port". Fields a packet has not are
// absent. Text from the wire that is not UTF-8 is printed with U+FFFD in its place.
#include <cstdint>
#include <deque>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <utility>

#include "agent/capture/packet_decoder.h"

namespace regwatch::agent::boot {

class BootPacketDump {
 public:
  // Clients remembered from their requests: the oldest is forgotten past this.
  static constexpr size_t kMaxTftpClients = 65536;

  explicit BootPacketDump(std::function<void(const std::string&)> out);

  void on_packet(int link_type, int64_t time_us, std::span<const uint8_t> frame);

  uint64_t frames() const { return frame_; }

 private:
  using Endpoint = std::pair<capture::IpAddress, uint16_t>;

  bool is_tftp(const capture::UdpDatagram& udp) const;
  void remember_client(const Endpoint& client);

  std::function<void(const std::string&)> out_;
  uint64_t frame_ = 0;
  std::set<Endpoint> tftp_clients_;
  std::deque<Endpoint> tftp_client_order_;  // oldest first, to forget in that order
};

}  // namespace regwatch::agent::boot
