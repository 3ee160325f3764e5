#include "collector/correlate/correlator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "collector/correlate/cause_ranker.h"
#include "common/reason_class.h"

namespace regwatch::collector::correlate {
namespace {

using regwatch::v1::Event;

// Narrow to broad: the order in which a scope explains a burst best.
int rank(const std::string& type) {
  static constexpr std::array<std::string_view, 6> kOrder = {"module", "switch",  "vlan",
                                                             "subnet", "cm_node", "cluster"};
  return static_cast<int>(std::find(kOrder.begin(), kOrder.end(), type) - kOrder.begin());
}

struct Drop {
  const StoredEvent* stored;
  std::string device;
  int64_t time_us;
  std::vector<Scope> scopes;
  std::vector<const StoredEvent*> merged;  // later reports of the same drop
  PhonePlace place;                        // where the phone was when it dropped
};

// The phone itself said it could not trust its config or trust list, in any report of the drop.
bool phone_reported_trust_failure(const Drop& d) {
  const auto is_auth_failure = [](const StoredEvent* s) {
    return s->event.kind() == regwatch::v1::PHONE_AUTH_FAILED;
  };
  return is_auth_failure(d.stored) ||
         std::any_of(d.merged.begin(), d.merged.end(), is_auth_failure);
}

struct Burst {
  Scope scope;
  std::vector<size_t> drops;  // indexes into the drop list
  std::set<std::string> phones;
  int64_t start_us = 0, end_us = 0;
  bool suppressed = false;
};

// "sw-3f.example.net", 2 -> "sw-3f/2"
std::string module_name(const std::string& switch_name, uint32_t module) {
  return short_host(switch_name) + "/" + std::to_string(module);
}

std::string subnet_of(const std::string& ip) {
  const size_t last = ip.rfind('.');
  if (last == std::string::npos || ip.find(':') != std::string::npos) return {};
  return ip.substr(0, last) + ".0/24";
}

}  // namespace

bool is_drop(const regwatch::v1::Event& e) {
  switch (e.kind()) {
    case regwatch::v1::PHONE_UNREGISTERED:
    case regwatch::v1::PHONE_REGISTRATION_FAILED:
    case regwatch::v1::CONNECTION_LOST:
    case regwatch::v1::KEEPALIVE_MISSED:
    // A phone refusing its signed config cannot register: a drop, of the security class.
    case regwatch::v1::PHONE_AUTH_FAILED: return e.has_phone() && !e.phone().device_name().empty();
    default: return false;
  }
}

std::vector<Incident> correlate(std::vector<StoredEvent> events,
                                const CorrelationSettings& settings) {
  // Deterministic order whatever the arrival: event time, then agent and seq.
  std::sort(events.begin(), events.end(), [](const StoredEvent& a, const StoredEvent& b) {
    const auto key = [](const StoredEvent& s) {
      return std::make_tuple(s.event.event_time_us(), std::string_view(s.event.agent_id()),
                             s.event.seq(), s.id);
    };
    return key(a) < key(b);
  });
  const int64_t merge_us = int64_t{settings.merge_s} * 1'000'000;
  const int64_t window_us = int64_t{settings.window_s} * 1'000'000;
  const int64_t quiet_us = int64_t{settings.quiet_s} * 1'000'000;
  const int64_t lookback_us = int64_t{settings.lookback_s} * 1'000'000;

  // Pass 1: attachment as known at each moment; drops merged per phone.
  std::map<std::string, PhonePlace> place;  // device -> latest known
  std::map<std::string, std::string> vlan_of, cluster_of, ip_of;
  std::map<std::string, size_t> last_drop;       // device -> its last counted drop in `drops`
  std::map<Scope, std::set<std::string>> known;  // phones seen in each scope
  std::map<Scope, uint64_t> counted;             // phones registered there by the CCM counts
  std::map<std::string, std::string> node_cluster;  // CM node -> the cluster its phones name
  std::map<std::string, std::vector<int64_t>> registered_at;
  std::vector<Drop> drops;
  std::vector<const StoredEvent*> candidates;
  int64_t latest_us = 0;
  for (const auto& stored : events) {
    const Event& e = stored.event;
    latest_us = std::max(latest_us, e.event_time_us());
    if (e.has_topology()) {
      const auto& t = e.topology();
      if (t.removed()) continue;
      auto& p = place[t.device()];
      p.switch_name = t.switch_name();
      p.module = t.module();
      p.port = t.port();
      if (t.voice_vlan()) vlan_of[t.device()] = std::to_string(t.voice_vlan());
      known[{"switch", short_host(t.switch_name())}].insert(t.device());
      if (t.module())
        known[{"module", module_name(t.switch_name(), t.module())}].insert(t.device());
      continue;
    }
    if (e.has_registered_phones()) {
      // CISCO-CCM-MIB's count of a CM node's registered phones: its size, including phones
      // that registered long before the events read.
      auto& size = counted[{"cm_node", short_host(e.origin())}];
      size = std::max(size, e.registered_phones().registered());
    }
    if (!e.has_phone() || e.phone().device_name().empty()) {
      candidates.push_back(&stored);
      continue;
    }
    const auto& ph = e.phone();
    const std::string& device = ph.device_name();
    if (!ph.cm_node().empty()) place[device].cm_node = ph.cm_node();
    if (!ph.cluster().empty()) cluster_of[device] = ph.cluster();
    if (!ph.cluster().empty() && !ph.cm_node().empty())
      node_cluster[short_host(ph.cm_node())] = ph.cluster();
    if (!ph.ip().empty()) ip_of[device] = ph.ip();
    if (e.kind() == regwatch::v1::PHONE_REGISTERED)
      registered_at[device].push_back(e.event_time_us());
    const PhonePlace& p = place[device];
    std::vector<Scope> scopes = {
        {"cluster", cluster_of.count(device) ? cluster_of[device] : "cluster"}};
    if (!p.cm_node.empty()) scopes.push_back({"cm_node", short_host(p.cm_node)});
    if (!p.switch_name.empty()) scopes.push_back({"switch", short_host(p.switch_name)});
    if (!p.switch_name.empty() && p.module) {
      scopes.push_back({"module", module_name(p.switch_name, p.module)});
    }
    if (vlan_of.count(device)) scopes.push_back({"vlan", vlan_of[device]});
    if (const auto subnet = subnet_of(ip_of[device]); !subnet.empty())
      scopes.push_back({"subnet", subnet});
    for (const auto& s : scopes) known[s].insert(device);
    if (!is_drop(e)) continue;
    auto last = last_drop.find(device);
    if (last != last_drop.end() && e.event_time_us() - drops[last->second].time_us <= merge_us) {
      drops[last->second].merged.push_back(&stored);  // the same drop, seen again
      continue;
    }
    last_drop[device] = drops.size();
    drops.push_back({&stored, device, e.event_time_us(), std::move(scopes), {}, p});
  }

  // Pass 2: bursts per scope with a sliding window over distinct phones.
  std::map<Scope, std::vector<size_t>> by_scope;
  for (size_t i = 0; i < drops.size(); ++i) {
    for (const auto& s : drops[i].scopes) by_scope[s].push_back(i);
  }
  // A cluster holds at least what its CM nodes count.
  std::map<Scope, uint64_t> cluster_counts;
  for (const auto& [scope, n] : counted) {
    if (const auto c = node_cluster.find(scope.name); c != node_cluster.end())
      cluster_counts[{"cluster", c->second}] += n;
  }
  for (const auto& [scope, n] : cluster_counts) counted[scope] = n;
  std::vector<Burst> bursts;
  for (const auto& [scope, indexes] : by_scope) {
    const double size =
        static_cast<double>(std::max<uint64_t>(known[scope].size(), counted[scope]));
    const size_t threshold = std::max<size_t>(
        settings.min_phones, static_cast<size_t>(std::ceil(settings.min_fraction * size)));
    size_t begin = 0;
    std::map<std::string, int> in_window;
    for (size_t i = 0; i < indexes.size(); ++i) {
      const Drop& d = drops[indexes[i]];
      ++in_window[d.device];
      while (drops[indexes[begin]].time_us < d.time_us - window_us) {
        if (--in_window[drops[indexes[begin]].device] == 0)
          in_window.erase(drops[indexes[begin]].device);
        ++begin;
      }
      if (in_window.size() < threshold) continue;
      // Over threshold: the burst runs from the window's first drop until quiet_s without one.
      Burst b;
      b.scope = scope;
      size_t j = begin;
      for (; j < indexes.size(); ++j) {
        if (j > begin && drops[indexes[j]].time_us - drops[indexes[j - 1]].time_us > quiet_us)
          break;
        b.drops.push_back(indexes[j]);
        b.phones.insert(drops[indexes[j]].device);
      }
      b.start_us = drops[indexes[begin]].time_us;
      b.end_us = drops[indexes[j - 1]].time_us;
      bursts.push_back(std::move(b));
      in_window.clear();
      begin = j;
      i = j - 1;
    }
  }

  // Pass 3: the narrowest scope that explains a burst is the one reported. Only bursts that
  // share phones can explain each other, so the pairs come from each phone's bursts: a
  // 40,000-phone burst crosses thousands of scopes, and comparing every pair of them cost
  // minutes where this costs the phones' memberships.
  std::unordered_map<std::string_view, std::vector<size_t>> bursts_of_phone;
  for (size_t a = 0; a < bursts.size(); ++a) {
    for (const auto& phone : bursts[a].phones) bursts_of_phone[phone].push_back(a);
  }
  std::vector<int> ranks(bursts.size());
  for (size_t a = 0; a < bursts.size(); ++a) ranks[a] = rank(bursts[a].scope.type);
  std::vector<size_t> common(bursts.size(), 0);
  std::vector<size_t> touched;
  for (size_t a = 0; a < bursts.size(); ++a) {
    for (const auto& phone : bursts[a].phones) {
      for (size_t b : bursts_of_phone[phone]) {
        if (ranks[a] >= ranks[b]) continue;  // a must be the narrower scope
        if (common[b]++ == 0) touched.push_back(b);
      }
    }
    Burst& narrow = bursts[a];
    for (size_t b : touched) {
      Burst& broad = bursts[b];
      const size_t shared = common[b];
      common[b] = 0;
      if (narrow.end_us < broad.start_us || broad.end_us < narrow.start_us) continue;
      if (shared >= settings.explain_fraction * static_cast<double>(broad.phones.size())) {
        broad.suppressed = true;  // the narrow scope explains it
      } else if (shared >= settings.explain_fraction * static_cast<double>(narrow.phones.size())) {
        narrow.suppressed = true;  // a fragment of a broader burst
      }
    }
    touched.clear();
  }

  // Pass 4: incidents with their causes.
  std::vector<Incident> incidents;
  for (const Burst& b : bursts) {
    if (b.suppressed) continue;
    Incident incident;
    incident.scope = b.scope;
    incident.start_us = b.start_us;
    incident.end_us = b.end_us;
    incident.phones.assign(b.phones.begin(), b.phones.end());
    std::map<std::string, int> drops_per_phone;
    std::map<std::string, PhonePlace> places;
    for (size_t index : b.drops) {
      const Drop& d = drops[index];
      const auto& ph = d.stored->event.phone();
      const bool trust_failure = !ph.has_reason_code() && phone_reported_trust_failure(d);
      if (++drops_per_phone[d.device] == 1 && ph.has_reason_code()) {
        auto& table = d.stored->event.kind() == regwatch::v1::PHONE_REGISTRATION_FAILED
                          ? incident.rejection_reasons
                          : incident.reasons;
        ++table[ph.reason_code()];
      } else if (drops_per_phone[d.device] == 1 && trust_failure) {
        ++incident.phone_auth_failures;
      }
      incident.drop_evidence.push_back(d.stored->id);
      for (const StoredEvent* again : d.merged) incident.drop_evidence.push_back(again->id);
      const bool rejected = d.stored->event.kind() == regwatch::v1::PHONE_REGISTRATION_FAILED;
      const std::string drop_class =
          trust_failure ? "security"
          : !ph.has_reason_code()
              ? "network"
              : std::string(rejected ? domain::registration_failure_reason_class(ph.reason_code())
                                     : domain::unregistration_reason_class(ph.reason_code()));
      auto& by_class = incident.drop_evidence_by_class[drop_class];
      by_class.push_back(d.stored->id);
      for (const StoredEvent* again : d.merged) by_class.push_back(again->id);
      places.try_emplace(d.device, d.place);  // at its first drop: it may re-home afterwards
    }
    for (const auto& [phone, n] : drops_per_phone) {
      if (n >= static_cast<int>(settings.flap_drops)) incident.flapping.push_back(phone);
      const PhonePlace& p = places[phone];
      ++incident.phones_by_cm[p.cm_node.empty() ? "unknown" : short_host(p.cm_node)];
      ++incident.phones_by_switch[p.switch_name.empty() ? "unknown" : short_host(p.switch_name)];
      const auto cluster = cluster_of.find(phone);
      ++incident.phones_by_cluster[cluster == cluster_of.end() ? "unknown" : cluster->second];
      const auto& times = registered_at[phone];
      if (std::any_of(times.begin(), times.end(), [&](int64_t t) { return t > b.start_us; }))
        ++incident.recovered;
    }
    std::sort(incident.drop_evidence.begin(), incident.drop_evidence.end());
    // Class from the reason mix.
    auto classes = phones_by_reason_class(incident);
    const auto total = static_cast<uint32_t>(incident.phones.size());
    incident.incident_class = "infrastructure";
    for (const char* c : {"planned", "security", "config", "storm"}) {
      if (classes[c] * 2 > total) incident.incident_class = c;
    }
    incident.state = (incident.recovered >= settings.recovered_fraction * total ||
                      latest_us - incident.end_us >= quiet_us)
                         ? "resolved"
                         : "open";
    incident.id = b.scope.type + ":" + b.scope.name + "@" + std::to_string(b.start_us);
    std::vector<const StoredEvent*> window;
    for (const StoredEvent* c : candidates) {
      const int64_t t = c->event.event_time_us();
      if (t >= b.start_us - lookback_us && t <= b.end_us) window.push_back(c);
    }
    std::vector<const StoredEvent*> burst_drops;
    for (size_t index : b.drops) {
      burst_drops.push_back(drops[index].stored);
      burst_drops.insert(burst_drops.end(), drops[index].merged.begin(), drops[index].merged.end());
    }
    incident.causes = rank_causes(incident, places, window, burst_drops, settings);
    incidents.push_back(std::move(incident));
  }
  std::sort(incidents.begin(), incidents.end(), [](const Incident& a, const Incident& b) {
    return std::tie(a.start_us, a.id) < std::tie(b.start_us, b.id);
  });
  return incidents;
}

}  // namespace regwatch::collector::correlate
