#include "bench/correlation/fleet.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <numeric>
#include <random>

namespace regwatch::bench::correlation {

const int64_t kBurstStart = [] {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return (now - now % 60) * kSecond;
}();

Layout make_layout(uint32_t phones, uint32_t burst, double burst_seconds) {
  Layout l;
  l.phones = phones;
  l.burst = burst;
  l.burst_us = static_cast<int64_t>(burst_seconds * 1e6);
  l.drop_order.resize(phones);
  std::iota(l.drop_order.begin(), l.drop_order.end(), 0u);
  std::mt19937 random(7);
  std::shuffle(l.drop_order.begin(), l.drop_order.end(), random);
  l.node.resize(phones);
  for (uint32_t i = 0; i < phones; ++i) {
    const uint32_t p = l.drop_order[i];
    l.node[p] = i < burst ? static_cast<int>(i % 2) : 2 + static_cast<int>(p % (kNodes - 2));
  }
  return l;
}

History generate(const Layout& l) {
  History h;
  h.before.reserve(2 * size_t{l.phones});
  h.burst.reserve(kCpuEvents + l.burst);
  uint64_t snmp_seq = 0, syslog_seq = 0;
  const auto spread = [&](uint32_t p) {  // 30 minutes for the whole deployment
    return static_cast<int64_t>(static_cast<double>(p) * 1800.0 * 1e6 / l.phones);
  };
  for (uint32_t p = 0; p < l.phones; ++p) {
    Event e;
    e.set_agent_id("snmp-agent");
    e.set_seq(++snmp_seq);
    e.set_event_time_us(kBurstStart - 5400 * kSecond + spread(p));
    e.set_receive_time_us(e.event_time_us());
    e.set_origin(Layout::switch_name(p));
    e.set_source(regwatch::v1::SOURCE_SNMP_POLL);
    e.set_kind(regwatch::v1::TOPOLOGY);
    auto* t = e.mutable_topology();
    t->set_device(Layout::device(p));
    t->set_switch_name(Layout::switch_name(p));
    t->set_module(Layout::module(p));
    t->set_port("GigabitEthernet" + std::to_string(Layout::module(p)) + "/0/" +
                std::to_string(1 + p % kPerModule));
    t->set_voice_vlan(Layout::vlan(p));
    t->set_address(Layout::ip(p));
    t->set_protocol("cdp");
    h.before.push_back(std::move(e));
  }
  const auto phone_event = [&](uint32_t p, int64_t time_us, regwatch::v1::EventKind kind) {
    Event e;
    e.set_agent_id("syslog-agent");
    e.set_seq(++syslog_seq);
    e.set_event_time_us(time_us);
    e.set_receive_time_us(time_us);
    e.set_origin(Layout::node_name(l.node[p]));
    e.set_source(regwatch::v1::SOURCE_SYSLOG);
    e.set_kind(kind);
    auto* ph = e.mutable_phone();
    ph->set_device_name(Layout::device(p));
    ph->set_ip(Layout::ip(p));
    ph->set_protocol("SCCP");
    ph->set_device_type(115);
    ph->set_cm_node(Layout::node_name(l.node[p]));
    ph->set_cluster("PROD");
    return e;
  };
  for (uint32_t p = 0; p < l.phones; ++p) {
    Event e =
        phone_event(p, kBurstStart - 3600 * kSecond + spread(p), regwatch::v1::PHONE_REGISTERED);
    e.mutable_phone()->set_alarm("EndPointRegistered");
    h.before.push_back(std::move(e));
  }
  for (int n = 0; n < 2; ++n) {
    Event e;
    e.set_agent_id("syslog-agent");
    e.set_seq(++syslog_seq);
    e.set_event_time_us(kBurstStart - 20 * kSecond);
    e.set_receive_time_us(e.event_time_us());
    e.set_origin(Layout::node_name(n));
    e.set_source(regwatch::v1::SOURCE_SYSLOG);
    e.set_kind(regwatch::v1::CPU_PEGGING);
    auto* a = e.mutable_rtmt_alert();
    a->set_alert_name("CallProcessingNodeCpuPegging");
    a->set_node(Layout::node_name(n));
    a->set_cluster("PROD");
    a->set_value(98);
    h.burst.push_back(std::move(e));
  }
  for (uint32_t i = 0; i < l.burst; ++i) {
    Event e = phone_event(l.drop_order[i], l.drop_time(i), regwatch::v1::PHONE_UNREGISTERED);
    auto* ph = e.mutable_phone();
    ph->set_reason_code(13);
    ph->set_reason("KeepAliveTimeout");
    ph->set_alarm("EndPointUnregistered");
    h.burst.push_back(std::move(e));
  }
  return h;
}

// The index (in the burst's drops) of the drop that takes each scope over its
// threshold, as the correlator counts: distinct phones in window_s, against
// max(min_phones, ceil(min_fraction x phones known in the scope)). Every phone
// registered within the runner's context, so all of them are known.
std::map<cor::Scope, size_t> crossings(const Layout& l, const cor::CorrelationSettings& s) {
  std::map<cor::Scope, size_t> known;
  for (uint32_t p = 0; p < l.phones; ++p) {
    for (const auto& scope : l.scopes(p)) ++known[scope];
  }
  std::map<cor::Scope, std::deque<int64_t>> window;
  std::map<cor::Scope, size_t> crossed;
  const int64_t window_us = int64_t{s.window_s} * kSecond;
  for (size_t i = 0; i < l.burst; ++i) {
    const int64_t t = l.drop_time(i);
    for (const auto& scope : l.scopes(l.drop_order[i])) {
      if (crossed.count(scope)) continue;
      auto& w = window[scope];
      w.push_back(t);
      while (w.front() < t - window_us) w.pop_front();
      const size_t threshold = std::max<size_t>(
          s.min_phones,
          static_cast<size_t>(std::ceil(s.min_fraction * static_cast<double>(known[scope]))));
      if (w.size() >= threshold) crossed[scope] = i;
    }
  }
  return crossed;
}

std::vector<cor::StoredEvent> stored_events(const History& h) {
  std::vector<cor::StoredEvent> out;
  out.reserve(h.before.size() + h.burst.size());
  for (const auto* part : {&h.before, &h.burst}) {
    for (const Event& e : *part) out.push_back({static_cast<int64_t>(out.size()) + 1, e});
  }
  return out;  // ids as the store assigns them when written in this order
}

std::string scope_text(const cor::Scope& s) {
  return s.type + " " + s.name;
}

const cor::Incident* largest(const std::vector<cor::Incident>& incidents) {
  const cor::Incident* best = nullptr;
  for (const auto& i : incidents) {
    if (!best || i.phones.size() > best->phones.size()) best = &i;
  }
  return best;
}

}  // namespace regwatch::bench::correlation
