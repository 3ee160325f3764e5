#pragma once
// The SIP registration watcher, a capture::Analyzer (agent/capture/analyzer.h): SIP over UDP
// and TCP on settings.ports (decoded), TLS on settings.tls_ports (sessions, timing and resets
// only). Each TCP direction is put back in order (capture::TcpReassembler) and cut into
// messages (SipFramer); a UDP datagram is one message (or a CRLF keep-alive). Messages go to the
// SipPhoneTracker, which keeps the per-phone registration state and makes the events
// (sip_phone_tracker.h). Everything odd is a named, counted anomaly in stats().
//
// Bounded memory: settings.max_connections TCP/TLS connections, max_held_bytes_* of
// out-of-order data, one partial message per direction; idle connections are forgotten.
//
// Threads: none; one owner (the capture thread).
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "agent/capture/analyzer.h"
#include "agent/sip/sip_settings.h"

namespace regwatch::agent::sip {

struct SipStats {
  uint64_t udp_datagrams = 0;
  uint64_t tcp_segments = 0;
  uint64_t tls_segments = 0;
  uint64_t messages = 0;
  uint64_t keepalives = 0;  // CRLF keep-alives (RFC 5626), by datagram or between messages
  uint64_t connections_opened = 0;
  uint64_t connections_rejected = 0;  // over max_connections
  uint64_t connections_expired = 0;
  std::map<std::string, uint64_t> messages_by_type;  // "REGISTER", "200", "401", ...
  std::map<std::string, uint64_t> anomalies;         // "not_sip", "tcp_gap", "sip_bad_length"...
  std::map<std::string, uint64_t> events_by_kind;
  size_t phones = 0;         // phones (devices) followed now
  size_t registrations = 0;  // their lines' registrations followed now
  size_t open_connections = 0;
};

class SipAnalyzer final : public capture::Analyzer {
 public:
  SipAnalyzer(SipSettings settings, capture::EventSink sink);
  ~SipAnalyzer() override;
  SipAnalyzer(const SipAnalyzer&) = delete;
  SipAnalyzer& operator=(const SipAnalyzer&) = delete;

  // TCP: ports and tls_ports; UDP: ports.
  capture::PortClaims claims() const override;
  void on_tcp(const capture::TcpSegment& segment, int64_t time_us) override;
  void on_udp(const capture::UdpDatagram& datagram, int64_t time_us) override;
  void on_time(int64_t time_us) override;
  void on_idle(int64_t now_us) override;
  SipStats stats() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace regwatch::agent::sip
