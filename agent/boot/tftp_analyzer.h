#pragma once
// TFTP downloads on the wire (RFC 1350, 2347-2349), a capture::Analyzer: read requests to port
// 69 (settings.tftp_ports) open a transfer; the server answers from a port of its choosing, so
// the transfer's client endpoint is claimed at run time (analyzer.h's RuntimeClaims) and every
// DATA, ACK, OACK and ERROR between it and the server comes here. A transfer ends whole (a DATA
// block shorter than the block size), failed (an ERROR: not_found, access_violation, error;
// aborted when the client sends it), or stopped: no packet for transfer_timeout_s (no_answer
// before the server's first packet, timeout after). The result goes to the BootTracker, which
// names the phone and reports it. Configs are kept as they arrive (up to max_config_bytes) and
// read with parse_phone_config.
//
// Retransmissions (a repeated read request or DATA block) are counted per transfer. Write
// requests are counted, not followed (phones do not upload). Bad packets are named, counted
// anomalies ("tftp_<error>").
//
// Threads: none; one owner (the capture thread).
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/boot/boot_settings.h"
#include "agent/boot/boot_tracker.h"
#include "agent/capture/analyzer.h"
#include "agent/capture/endpoint.h"

namespace regwatch::agent::boot {

class TftpAnalyzer final : public capture::Analyzer {
 public:
  TftpAnalyzer(const BootSettings& settings, BootTracker& tracker);
  ~TftpAnalyzer() override;
  TftpAnalyzer(const TftpAnalyzer&) = delete;
  TftpAnalyzer& operator=(const TftpAnalyzer&) = delete;

  capture::PortClaims claims() const override;
  void on_added(capture::RuntimeClaims& claims) override { claims_ = &claims; }
  void on_tcp(const capture::TcpSegment& segment, int64_t time_us) override;
  void on_udp(const capture::UdpDatagram& datagram, int64_t time_us) override;
  void on_time(int64_t time_us) override;
  void on_idle(int64_t now_us) override { on_time(now_us); }
  size_t transfers_in_flight() const { return transfers_.size(); }
  uint64_t held_bytes() const { return held_bytes_; }

 private:
  using Key = capture::Endpoint;  // the client's end
  struct Flow {
    Transfer transfer;          // file, kind, addresses, counts so far
    capture::IpAddress server;  // where the request went
    capture::IpAddress client;
    uint16_t server_port = 0;  // the server's chosen port, once it answered
    bool answered = false;
    bool keep_content = false;  // a config: kept to read its CM group
    uint16_t next_block = 1;
    uint32_t block_size = 512;
    int64_t last_packet_us = 0;
    std::vector<uint8_t> content;
  };
  void request(const capture::UdpDatagram& datagram, int64_t time_us);
  void from_server(Flow& flow, const capture::UdpDatagram& datagram, int64_t time_us);
  void from_client(Flow& flow, const capture::UdpDatagram& datagram, int64_t time_us);
  // A config too big to keep (for itself, or for the budget of all): counted, not read.
  void drop_content(Flow& flow);
  // Ends the transfer of key: failure "" when whole.
  void finish(const Key& key, std::string failure, int64_t time_us);

  BootSettings settings_;
  BootTracker& tracker_;
  capture::RuntimeClaims* claims_ = nullptr;
  std::vector<uint16_t> ports_;
  std::unordered_map<Key, Flow, capture::EndpointHash> transfers_;  // by the client's endpoint
  uint64_t held_bytes_ = 0;  // config bytes kept, all transfers
  int64_t next_scan_us_ = 0;
};

}  // namespace regwatch::agent::boot
