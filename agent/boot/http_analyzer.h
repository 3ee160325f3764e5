#pragma once
// Config and trust-list downloads over HTTP (TCP 6970, settings.http_ports), a
// capture::Analyzer: newer Cisco phones try HTTP before TFTP. Per connection, each direction
// put back in order (capture::TcpReassembler); the client's request heads (GET <file>) are
// queued and matched in order with the server's responses (pipelining), whose bodies are
// counted by Content-Length, or to the connection's end when it has none. A download ends whole
// (2xx with its body), failed (404 not_found, 403 access_violation, other statuses http_status),
// truncated (the connection ended inside a body), or unanswered (the connection ended or idled
// transfer_timeout_s with a request and no response: no_answer, or timeout mid-body). Results go
// to the BootTracker; configs are read as for TFTP.
//
// A hole in a direction's bytes (a capture that lost packets) makes the connection's framing
// unknowable: it is counted (http_gap) and the connection is no longer followed; so is one with
// more than settings.max_pipelined_requests requests outstanding (http_pipeline_full). Chunked
// bodies are counted to the connection's end and not read as configs.
//
// Threads: none; one owner (the capture thread).
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/boot/boot_settings.h"
#include "agent/boot/boot_tracker.h"
#include "agent/capture/analyzer.h"
#include "agent/capture/tcp_reassembler.h"

namespace regwatch::agent::boot {

class HttpAnalyzer final : public capture::Analyzer {
 public:
  HttpAnalyzer(const BootSettings& settings, BootTracker& tracker);
  ~HttpAnalyzer() override;
  HttpAnalyzer(const HttpAnalyzer&) = delete;
  HttpAnalyzer& operator=(const HttpAnalyzer&) = delete;

  capture::PortClaims claims() const override { return {settings_.http_ports, {}}; }
  void on_tcp(const capture::TcpSegment& segment, int64_t time_us) override;
  void on_time(int64_t time_us) override;
  void on_idle(int64_t now_us) override { on_time(now_us); }
  size_t connections() const { return connections_.size(); }

 private:
  struct Key {
    capture::IpAddress client, server;
    uint16_t client_port = 0, server_port = 0;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& key) const;
  };
  struct Connection;
  struct StreamSink;
  void client_bytes(Connection& c, std::span<const uint8_t> bytes, int64_t time_us);
  void server_bytes(Connection& c, std::span<const uint8_t> bytes, int64_t time_us);
  // The connection ended (FIN, RST, idle): what is open is finished as it stands.
  void close(const Key& key, bool idle, int64_t time_us);
  void finish_response(Connection& c, std::string failure, int64_t time_us);
  void drop_content(Connection& c);

  BootSettings settings_;
  BootTracker& tracker_;
  capture::HeldBudget held_budget_;
  capture::ReassemblyCounters reassembly_;
  std::unordered_map<Key, std::unique_ptr<Connection>, KeyHash> connections_;
  int64_t next_scan_us_ = 0;
};

}  // namespace regwatch::agent::boot
