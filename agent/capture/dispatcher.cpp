#include "agent/capture/dispatcher.h"

#include <algorithm>

namespace regwatch::agent::capture {

Status Dispatcher::add(Analyzer& analyzer) {
  if (analyzers_.size() >= 255) return Error{"too_many_analyzers", "more than 255 analyzers"};
  const PortClaims claims = analyzer.claims();
  for (const auto& [ports, owner] :
       {std::pair{&claims.tcp, &tcp_owner_}, std::pair{&claims.udp, &udp_owner_}}) {
    for (const uint16_t port : *ports) {
      if ((*owner)[port] != 0) {
        return Error{"port_claimed",
                     "port " + std::to_string(port) + " is claimed by two analyzers"};
      }
    }
  }
  analyzers_.push_back(&analyzer);
  const auto id = static_cast<uint8_t>(analyzers_.size());
  for (const uint16_t port : claims.tcp) tcp_owner_[port] = id;
  for (const uint16_t port : claims.udp) udp_owner_[port] = id;
  any_udp_ = any_udp_ || !claims.udp.empty();
  analyzer.on_added(*this);
  return Ok{};
}

bool Dispatcher::claim_udp_endpoint(Analyzer& by, const IpAddress& address, uint16_t port) {
  const auto it = std::find(analyzers_.begin(), analyzers_.end(), &by);
  if (it == analyzers_.end()) return false;
  const auto id = static_cast<uint8_t>(it - analyzers_.begin() + 1);
  const Endpoint key{address, port};
  if (const auto found = endpoint_owner_.find(key); found != endpoint_owner_.end())
    return found->second == id;
  if (endpoint_owner_.size() >= kMaxEndpointClaims) return false;
  endpoint_owner_.emplace(key, id);
  ++endpoint_claims_per_port_[port];
  any_udp_ = true;
  return true;
}

void Dispatcher::release_udp_endpoint(Analyzer& by, const IpAddress& address, uint16_t port) {
  const auto found = endpoint_owner_.find(Endpoint{address, port});
  if (found == endpoint_owner_.end() || analyzers_[found->second - 1u] != &by) return;
  endpoint_owner_.erase(found);
  --endpoint_claims_per_port_[port];
}

uint8_t Dispatcher::endpoint_owner(const TcpSegment& segment) const {
  if (endpoint_claims_per_port_[segment.dst_port]) {
    const auto found = endpoint_owner_.find(Endpoint{segment.dst, segment.dst_port});
    if (found != endpoint_owner_.end()) return found->second;
  }
  if (endpoint_claims_per_port_[segment.src_port]) {
    const auto found = endpoint_owner_.find(Endpoint{segment.src, segment.src_port});
    if (found != endpoint_owner_.end()) return found->second;
  }
  return 0;
}

void Dispatcher::time_to_others(const Analyzer* had_it, int64_t time_us) {
  for (Analyzer* analyzer : analyzers_) {
    if (analyzer != had_it) analyzer->on_time(time_us);
  }
}

void Dispatcher::on_packet(int link_type, int64_t time_us, std::span<const uint8_t> frame) {
  ++stats_.packets;
  stats_.bytes += frame.size();
  for (Analyzer* analyzer : analyzers_) {
    if (analyzer->on_frame(link_type, time_us, frame)) {
      time_to_others(analyzer, time_us);
      return;
    }
  }
  TcpSegment segment;  // or a UDP datagram's fields: no UdpDatagram built for a TCP packet
  const DecodeOutcome outcome = decode_transport(link_type, frame, segment, any_udp_);
  Analyzer* owner = nullptr;
  if (outcome == DecodeOutcome::kTcp) {
    // The destination's claim first: a client's packets to a server port, the replies back.
    const uint8_t id =
        tcp_owner_[segment.dst_port] ? tcp_owner_[segment.dst_port] : tcp_owner_[segment.src_port];
    if (id) owner = analyzers_[id - 1u];
    if (owner) owner->on_tcp(segment, time_us);
  } else if (outcome == DecodeOutcome::kUdp) {
    uint8_t id =
        udp_owner_[segment.dst_port] ? udp_owner_[segment.dst_port] : udp_owner_[segment.src_port];
    if (!id && !endpoint_owner_.empty()) id = endpoint_owner(segment);
    if (id) owner = analyzers_[id - 1u];
    if (owner) {
      owner->on_udp(UdpDatagram{segment.src, segment.dst, segment.src_port, segment.dst_port,
                                segment.vlan, segment.payload},
                    time_us);
    }
  } else if (outcome != DecodeOutcome::kNotIp && outcome != DecodeOutcome::kNotTcp) {
    ++stats_.anomalies[std::string(outcome_name(outcome))];
  }
  time_to_others(owner, time_us);
}

void Dispatcher::on_idle(int64_t now_us) {
  for (Analyzer* analyzer : analyzers_) analyzer->on_idle(now_us);
}

}  // namespace regwatch::agent::capture
