// The generated deployment of the correlation benchmark: N phones on 8 CM nodes of cluster
// PROD, on 4-member switch stacks (192 phones a switch, 48 a module, a voice VLAN per 10
// switches, a /24 per 250 phones), their history (topology, registrations), the CPU evidence
// and the burst; and where each scope crosses its threshold, as the correlator counts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "collector/correlate/cause_ranker.h"
#include "collector/correlate/correlator.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::bench::correlation {

namespace cor = regwatch::collector::correlate;
using regwatch::v1::Event;

inline constexpr int64_t kSecond = 1'000'000;
// The burst starts at the minute this run began: live, as the runner sees a burst it must
// report within a second (older event times are a replay, which it deliberately throttles).
extern const int64_t kBurstStart;
inline constexpr size_t kCpuEvents = 2;  // at the head of the burst phase
inline constexpr int kNodes = 8;
inline constexpr uint32_t kPerSwitch = 192, kPerModule = 48, kPerVlan = 1920, kPerSubnet = 250;

struct Layout {
  uint32_t phones = 0, burst = 0;
  int64_t burst_us = 0;
  std::vector<uint32_t> drop_order;  // the first `burst` phones of it drop, in this order
  std::vector<int> node;             // phone -> CM node index 0..7

  static std::string device(uint32_t p) {
    char name[20];
    std::snprintf(name, sizeof name, "SEP%012llX", 0x00179A000000ULL + p);
    return name;
  }
  static std::string node_name(int n) { return "ucm-sub" + std::to_string(n + 1); }
  static std::string switch_name(uint32_t p) {
    char name[32];
    std::snprintf(name, sizeof name, "sw-%04u.voice.example.net", p / kPerSwitch);
    return name;
  }
  static uint32_t module(uint32_t p) { return 1 + p % kPerSwitch / kPerModule; }
  static uint32_t vlan(uint32_t p) { return 100 + p / kPerVlan; }
  static std::string ip(uint32_t p) {
    const uint32_t subnet = p / kPerSubnet;
    return "10." + std::to_string(16 + subnet / 256) + "." + std::to_string(subnet % 256) + "." +
           std::to_string(1 + p % kPerSubnet);
  }
  // The scopes the correlator puts the phone in, named as it names them.
  std::vector<cor::Scope> scopes(uint32_t p) const {
    const std::string sw = cor::short_host(switch_name(p));
    const std::string address = ip(p);
    return {{"cluster", "PROD"},
            {"cm_node", node_name(node[p])},
            {"switch", sw},
            {"module", sw + "/" + std::to_string(module(p))},
            {"vlan", std::to_string(vlan(p))},
            {"subnet", address.substr(0, address.rfind('.')) + ".0/24"}};
  }
  int64_t drop_time(size_t i) const {
    return kBurstStart +
           static_cast<int64_t>(static_cast<double>(i) * static_cast<double>(burst_us) /
                                static_cast<double>(burst));
  }
};

// Which phones drop (a fixed shuffle) and which node each is registered to: the dropping
// ones on ucm-sub1 and ucm-sub2, the rest spread over the other six.

// Which phones drop (a fixed shuffle) and which node each is registered to.
Layout make_layout(uint32_t phones, uint32_t burst, double burst_seconds);

struct History {
  std::vector<Event> before;  // topology and registrations, by event time
  std::vector<Event> burst;   // the CPU evidence, then the drops, by event time
};

// Topology 90 min before the burst, registrations 60 to 30 min before, CPU pegging on
// ucm-sub1 and ucm-sub2 20 s before, then the drops (reason 13) evenly over burst_seconds.
History generate(const Layout& l);

// The index (in the burst's drops) of the drop that takes each scope over its
// threshold, as the correlator counts: distinct phones in window_s, against
// max(min_phones, ceil(min_fraction x phones known in the scope)). Every phone
// registered within the runner's context, so all of them are known.
std::map<cor::Scope, size_t> crossings(const Layout& l, const cor::CorrelationSettings& s);

// The history with ids as the store assigns them when written in this order.
std::vector<cor::StoredEvent> stored_events(const History& h);

std::string scope_text(const cor::Scope& s);
// The incident with the most phones, or null.
const cor::Incident* largest(const std::vector<cor::Incident>& incidents);

}  // namespace regwatch::bench::correlation
