#pragma once
// The capture layer's packet loop: one captured frame in, decoded once (link, IPv4/IPv6, TCP,
// UDP), handed to the analyzer that claimed its port (analyzer.h states the contract). Frames
// that cannot be decoded are counted here by name ("truncated_header", "ip_fragment", ...),
// never thrown.
//
// UDP is decoded only when some analyzer claims a UDP port: otherwise a UDP datagram is
// "not TCP" before its header is read, as before there were UDP analyzers (a truncated UDP
// header is then not an anomaly of ours).
//
// Endpoint claims made at run time (analyzer.h's RuntimeClaims) are looked up only for UDP
// datagrams that no port claim took, and only when one of their ports has a claim.
//
// Threads: none; one owner (the capture thread). Analyzers are borrowed: they must outlive it.
#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/capture/analyzer.h"
#include "agent/capture/endpoint.h"
#include "common/result.h"

namespace regwatch::agent::capture {

struct CaptureStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  std::map<std::string, uint64_t> anomalies;  // decode outcomes: "truncated_header", ...
};

class Dispatcher final : private RuntimeClaims {
 public:
  Dispatcher() = default;
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Reads its claims now; an error (and nothing added) when one of its ports is claimed already.
  // At most 255 analyzers.
  Status add(Analyzer& analyzer);

  // One captured frame; time_us is its capture timestamp.
  void on_packet(int link_type, int64_t time_us, std::span<const uint8_t> frame);
  // The wire is quiet (live capture): every analyzer's on_idle.
  void on_idle(int64_t now_us);

  const CaptureStats& stats() const { return stats_; }

 private:
  bool claim_udp_endpoint(Analyzer& by, const IpAddress& address, uint16_t port) override;
  void release_udp_endpoint(Analyzer& by, const IpAddress& address, uint16_t port) override;
  // The owner (1 + index) of a UDP datagram no port claim took, by its endpoints; 0 for none.
  uint8_t endpoint_owner(const TcpSegment& segment) const;

  // Every analyzer but the one that had the packet: time moved on.
  void time_to_others(const Analyzer* had_it, int64_t time_us);

  std::vector<Analyzer*> analyzers_;
  // Per port, 1 + the index of the analyzer that claimed it, 0 for none: two reads per packet.
  std::array<uint8_t, 65536> tcp_owner_{};
  std::array<uint8_t, 65536> udp_owner_{};
  bool any_udp_ = false;
  // Endpoint claims (RuntimeClaims), with a count per port in front of them: a datagram whose
  // ports have no claim (RTP, the voice VLAN's bulk) costs two array reads, not a hash lookup.
  std::unordered_map<Endpoint, uint8_t, EndpointHash> endpoint_owner_;
  std::vector<uint16_t> endpoint_claims_per_port_ = std::vector<uint16_t>(65536, 0);
  CaptureStats stats_;
};

}  // namespace regwatch::agent::capture
