#pragma once
// What `regwatch-agent --decode-pcap FILE` prints for SIP: one compact JSON line per SIP
// message on the SIP ports (UDP and TCP; 5060 unless told), decoded by the parser and framer
// the SIP analyzer uses, so the agent's reading can be compared with tshark's `sip` dissector.
//
//   {"frame":4,"time_us":...,"proto":"sip","transport":"udp","src":"10.1.1.5:5060",
//    "dst":"10.1.1.1:5060","method":"REGISTER","request_uri":"sip:cucm","call_id":"...",
//    "cseq":101,"cseq_method":"REGISTER","from_user":"1001",...,"device_name":"SEP...",...}
//   {"frame":5,...,"proto":"sip",...,"status":200,"reason_phrase":"OK","expires":120,...}
//   {"frame":9,...,"proto":"sip","transport":"udp",...,"error":"bad_cseq"}   (does not parse)
//
// UDP: each datagram is one message (CRLF keep-alives are skipped). TCP: each direction of a
// connection is put in order (capture::TcpReassembler) and cut into messages (SipFramer); a
// message is printed with the number of the frame that completed it, as tshark does, so one
// frame may print several lines. Framing trouble prints a line of its own with
// "error":"framing" and the counts that grew ("bad_lengths", "oversized", "skipped_bytes"), and
// a hole in a stream "error":"gap".
//
// Frame numbers count every packet given, from 1, as tshark's frame.number does. Fields a
// message has not are absent. Text from the wire that is not UTF-8 is printed with U+FFFD in its
// place.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "agent/capture/packet_decoder.h"
#include "agent/capture/tcp_reassembler.h"
#include "agent/sip/sip_framer.h"

namespace regwatch::agent::sip {

class SipPacketDump {
 public:
  // TCP directions followed at once; a new one past this is not decoded and says so once.
  static constexpr size_t kMaxStreams = 65536;

  explicit SipPacketDump(std::function<void(const std::string&)> out,
                         std::vector<uint16_t> ports = {5060});
  ~SipPacketDump();
  SipPacketDump(const SipPacketDump&) = delete;
  SipPacketDump& operator=(const SipPacketDump&) = delete;

  void on_packet(int link_type, int64_t time_us, std::span<const uint8_t> frame);

  uint64_t frames() const { return frame_; }

 private:
  struct Stream;
  struct Endpoints {
    capture::IpAddress src, dst;
    uint16_t src_port = 0, dst_port = 0;
    auto operator<=>(const Endpoints&) const = default;
    bool operator==(const Endpoints&) const = default;
  };

  bool is_sip_port(uint16_t port) const;
  void on_tcp(int64_t time_us, const capture::TcpSegment& segment);
  void print_message(int64_t time_us, const char* transport, const Endpoints& endpoints,
                     std::span<const uint8_t> message);
  void print_error(int64_t time_us, const char* transport, const Endpoints& endpoints,
                   const std::string& error, const SipFramerCounters* grown);

  std::function<void(const std::string&)> out_;
  std::vector<uint16_t> ports_;
  uint64_t frame_ = 0;
  capture::HeldBudget budget_;
  std::map<Endpoints, std::unique_ptr<Stream>> streams_;
  bool said_too_many_ = false;
};

}  // namespace regwatch::agent::sip
