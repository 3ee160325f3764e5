#include "collector/correlate/correlator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "collector/correlate/cause_ranker.h"
#include "collector/correlate/drop_rule.h"
#include "collector/correlate/scope_choice.h"
#include "collector/correlate/scope_table.h"
#include "common/boot_rules.h"
#include "common/provenance.h"
#include "common/reason_class.h"

namespace regwatch::collector::correlate {
namespace {

using regwatch::v1::Event;

constexpr size_t kMaxScopes = 7;  // one of each type at most
// The cluster of phones whose events named none (a wire capture, a CCM-MIB table).
constexpr std::string_view kUnnamedCluster = "cluster";

// Where a phone was, as views into the events that said so (they outlive the call's work).
struct PlaceView {
  std::string_view cm_node;
  std::string_view switch_name;
  uint32_t module = 0;
  std::string_view port;

  PhonePlace place() const {
    return {std::string(cm_node), std::string(switch_name), module, std::string(port)};
  }
};

// What pass 1 knows of a phone at the current event.
struct PhoneRecord {
  PlaceView place;
  std::string_view cluster, ip;
  std::string_view tftp_server;  // the TFTP server its latest boot stall named
  uint32_t vlan = 0;             // 0: no voice VLAN learned
  // The scopes the phone's drops count in, recomputed only when what decides them changes.
  bool scopes_stale = true;
  uint8_t scope_count = 0;
  std::array<uint32_t, kMaxScopes> scopes{};
  int64_t last_drop = -1;           // index of its last counted drop
  int64_t last_registered_us = -1;  // its latest registration (recovered after a drop?)
  // The scopes it was counted in: a handful, so an inline list.
  uint8_t known_count = 0;
  std::array<uint32_t, 8> known_in{};
  std::vector<uint32_t> known_beyond;  // rarely: a phone that moved a lot
};

struct Drop {
  const StoredEvent* stored;
  uint32_t phone;
  int64_t time_us;
  uint8_t scope_count;
  std::array<uint32_t, kMaxScopes> scopes;
  std::vector<const StoredEvent*> merged;  // later reports of the same drop
  PlaceView place;                         // where the phone was when it dropped
};

// The latest boot_stalled report of the drop (its reports are in time order), or none: where the
// phone is stuck now, which outweighs the reason code the drop began with.
const StoredEvent* latest_boot_stall(const Drop& d) {
  for (auto it = d.merged.rbegin(); it != d.merged.rend(); ++it) {
    if ((*it)->event.kind() == regwatch::v1::BOOT_STALLED) return *it;
  }
  return d.stored->event.kind() == regwatch::v1::BOOT_STALLED ? d.stored : nullptr;
}

// The reason class a boot rule's incident class counts as (common/reason_class.h's words):
// infrastructure is the network class there. An unknown rule (a newer agent's) is other.
std::string_view boot_stall_class(const regwatch::v1::BootStall& stall) {
  const domain::BootRule* rule = domain::find_boot_rule(stall.rule());
  if (rule == nullptr) return "other";
  return rule->incident_class == "infrastructure" ? "network" : rule->incident_class;
}

// The phone itself said it could not trust its config or trust list, in any report of the drop.
bool phone_reported_trust_failure(const Drop& d) {
  const auto is_auth_failure = [](const StoredEvent* s) {
    return s->event.kind() == regwatch::v1::PHONE_AUTH_FAILED;
  };
  return is_auth_failure(d.stored) ||
         std::any_of(d.merged.begin(), d.merged.end(), is_auth_failure);
}

struct Burst {
  uint32_t scope;
  std::vector<size_t> drops;     // indexes into the drop list
  std::vector<uint32_t> phones;  // phone ids, sorted, distinct
  int64_t start_us = 0, end_us = 0;
  bool suppressed = false;
  // Broader bursts holding exactly these phones at the same time (a stack member's phones that
  // are exactly one /24): the scopes the reported one is chosen among (scope_choice.h).
  std::vector<uint32_t> twins;
  // Each phone's first drop in the burst, sorted: how many of its phones fell around a
  // narrower burst (suppress_explained).
  std::vector<int64_t> first_drops;
  // Narrower bursts dropped as fragments of this one's event: one of them may be the scope its
  // top cause explains (correlate()).
  std::vector<size_t> fragments;
};

// "sw-3f.example.net", 2 -> "sw-3f/2"
std::string module_name(std::string_view switch_name, uint32_t module) {
  return module_scope_name(std::string(switch_name), module);
}

// "10.1.2.3" -> "10.1.2", the /24's name without its ".0/24"; nothing for IPv6 or no address.
std::optional<std::string_view> subnet_prefix(std::string_view ip) {
  const size_t last = ip.rfind('.');
  if (last == std::string::npos || ip.find(':') != std::string::npos) return std::nullopt;
  return ip.substr(0, last);
}

// Pass 1's state: phones, scopes, who is known where, and the drops merged per phone.
class DropCollector {
 public:
  DropCollector(const CorrelationSettings& settings, size_t events) : rule_(settings.merge_s) {
    // Most events name a phone, most phones have two or three: no rehashing as they come.
    phones_.reserve(events / 2);
    records_.reserve(events / 2);
  }

  void add(const StoredEvent& stored) {
    const Event& e = stored.event;
    if (!may_drive_diagnosis(e)) return;  // forged: evidence of forgery, not of a drop
    latest_us_ = std::max(latest_us_, e.event_time_us());
    if (e.has_topology()) {
      add_topology(e.topology());
      return;
    }
    if (e.has_registered_phones()) {
      // CISCO-CCM-MIB's count of a CM node's registered phones: its size, including phones
      // that registered long before the events read.
      auto& size = counted(scopes_.id(ScopeType::kCmNode, short_host(e.origin())));
      size = std::max(size, e.registered_phones().registered());
    }
    if (!e.has_phone() || e.phone().device_name().empty()) {
      candidates_.push_back(&stored);
      return;
    }
    add_phone_event(stored);
  }

  // After the last add(): the sizes of clusters include their CM nodes' counts.
  void finish() {
    std::map<std::string, std::pair<uint64_t, std::string_view>> cluster_of_node;
    for (const auto& [node, said] : node_cluster_)
      cluster_of_node[short_host(std::string(node))] =
          std::max(cluster_of_node[short_host(std::string(node))], said);
    std::map<std::string_view, uint64_t> cluster_counts;
    for (uint32_t s = 0; s < counted_.size(); ++s) {
      if (scopes_.type(s) != ScopeType::kCmNode || counted_[s] == 0) continue;
      const auto c = cluster_of_node.find(scopes_.scope(s).name);
      if (c != cluster_of_node.end()) cluster_counts[c->second.second] += counted_[s];
    }
    for (const auto& [cluster, n] : cluster_counts)
      counted(scopes_.id(ScopeType::kCluster, std::string(cluster))) = n;
  }

  // The phones known in a scope: seen in its events, or counted there by the CCM MIB.
  uint64_t size_of(uint32_t scope) const {
    const uint64_t seen = scope < known_.size() ? known_[scope] : 0;
    return std::max(seen, scope < counted_.size() ? counted_[scope] : 0);
  }

  const ScopeTable& scopes() const { return scopes_; }
  const NameTable& phones() const { return phones_; }
  const PhoneRecord& phone(uint32_t id) const { return records_[id]; }
  const std::vector<Drop>& drops() const { return drops_; }
  const std::vector<const StoredEvent*>& candidates() const { return candidates_; }
  int64_t latest_us() const { return latest_us_; }

 private:
  uint64_t& counted(uint32_t scope) {
    if (counted_.size() <= scope) counted_.resize(scope + 1, 0);
    return counted_[scope];
  }

  uint32_t phone_id(std::string_view device) {
    const uint32_t id = phones_.id(device);
    if (id == records_.size()) records_.emplace_back();
    return id;
  }

  void know(uint32_t scope, uint32_t phone) {
    // A phone is in a handful of scopes over a pass: a short list beats a set.
    PhoneRecord& r = records_[phone];
    const auto inline_end = r.known_in.begin() + r.known_count;
    if (std::find(r.known_in.begin(), inline_end, scope) != inline_end) return;
    if (std::find(r.known_beyond.begin(), r.known_beyond.end(), scope) != r.known_beyond.end())
      return;
    if (r.known_count < r.known_in.size()) {
      r.known_in[r.known_count++] = scope;
    } else {
      r.known_beyond.push_back(scope);
    }
    if (known_.size() <= scope) known_.resize(scope + 1, 0);
    ++known_[scope];
  }

  // Scope ids by the names as the events spell them: the same few hundred switches and nodes
  // come with every phone, and short_host() and the table's key are paid once per spelling.
  uint32_t scope_of(std::unordered_map<std::string_view, uint32_t>& memo, std::string_view said,
                    ScopeType type) {
    const auto it = memo.find(said);
    if (it != memo.end()) return it->second;
    const std::string name = type == ScopeType::kSubnet    ? std::string(said) + ".0/24"
                             : type == ScopeType::kCluster ? std::string(said)
                                                           : short_host(std::string(said));
    return memo.emplace(said, scopes_.id(type, name)).first->second;
  }
  uint32_t module_scope(std::string_view switch_name, uint32_t module) {
    const uint64_t key =
        (uint64_t{scope_of(switch_scopes_, switch_name, ScopeType::kSwitch)} << 32) | module;
    const auto it = module_scopes_.find(key);
    if (it != module_scopes_.end()) return it->second;
    return module_scopes_
        .emplace(key, scopes_.id(ScopeType::kModule, module_name(switch_name, module)))
        .first->second;
  }

  void add_topology(const regwatch::v1::Topology& t) {
    if (t.removed()) return;
    const uint32_t id = phone_id(t.device());
    PhoneRecord& r = records_[id];
    r.place.switch_name = t.switch_name();
    r.place.module = t.module();
    r.place.port = t.port();
    if (t.voice_vlan()) r.vlan = t.voice_vlan();
    r.scopes_stale = true;
    know(scope_of(switch_scopes_, t.switch_name(), ScopeType::kSwitch), id);
    if (t.module()) know(module_scope(t.switch_name(), t.module()), id);
  }

  void add_phone_event(const StoredEvent& stored) {
    const Event& e = stored.event;
    const auto& ph = e.phone();
    const uint32_t id = phone_id(ph.device_name());
    PhoneRecord& r = records_[id];
    const auto update = [&r](std::string_view& field, const std::string& said) {
      if (said.empty() || field == said) return;
      field = said;
      r.scopes_stale = true;
    };
    update(r.place.cm_node, ph.cm_node());
    update(r.cluster, ph.cluster());
    update(r.ip, ph.ip());
    if (ph.has_boot()) update(r.tftp_server, ph.boot().tftp_server());
    // The cluster a CM node's phones name, the latest saying it winning (by name as written:
    // finish() reduces names to hosts).
    if (!ph.cluster().empty() && !ph.cm_node().empty())
      node_cluster_[ph.cm_node()] = {++said_count_, ph.cluster()};
    if (e.kind() == regwatch::v1::PHONE_REGISTERED)
      r.last_registered_us = std::max(r.last_registered_us, e.event_time_us());
    if (r.scopes_stale) place_in_scopes(id, r);
    if (!DropRule::is_drop(e)) return;
    // The same drop reported again (another input, a later poll) counts once; a drop after the
    // phone registered again is a drop of its own (it came back, then fell again).
    if (r.last_drop >= 0 && rule_.same_drop(drops_[static_cast<size_t>(r.last_drop)].time_us,
                                            r.last_registered_us, e.event_time_us(), e.kind())) {
      drops_[static_cast<size_t>(r.last_drop)].merged.push_back(&stored);  // seen again
      return;
    }
    r.last_drop = static_cast<int64_t>(drops_.size());
    drops_.push_back({&stored, id, e.event_time_us(), r.scope_count, r.scopes, {}, r.place});
  }

  void place_in_scopes(uint32_t id, PhoneRecord& r) {
    r.scopes_stale = false;
    r.scope_count = 0;
    const auto add = [&](uint32_t scope) { r.scopes[r.scope_count++] = scope; };
    add(scope_of(cluster_scopes_, r.cluster.empty() ? kUnnamedCluster : r.cluster,
                 ScopeType::kCluster));
    if (!r.place.cm_node.empty()) add(scope_of(node_scopes_, r.place.cm_node, ScopeType::kCmNode));
    if (!r.place.switch_name.empty())
      add(scope_of(switch_scopes_, r.place.switch_name, ScopeType::kSwitch));
    if (!r.place.switch_name.empty() && r.place.module)
      add(module_scope(r.place.switch_name, r.place.module));
    if (r.vlan) {
      auto it = vlan_scopes_.find(r.vlan);
      if (it == vlan_scopes_.end())
        it = vlan_scopes_.emplace(r.vlan, scopes_.id(ScopeType::kVlan, std::to_string(r.vlan)))
                 .first;
      add(it->second);
    }
    if (const auto prefix = subnet_prefix(r.ip))
      add(scope_of(subnet_scopes_, *prefix, ScopeType::kSubnet));
    if (!r.tftp_server.empty())
      add(scope_of(tftp_server_scopes_, r.tftp_server, ScopeType::kTftpServer));
    for (uint8_t i = 0; i < r.scope_count; ++i) know(r.scopes[i], id);
  }

  DropRule rule_;
  int64_t latest_us_ = 0;
  NameTable phones_;
  std::vector<PhoneRecord> records_;
  ScopeTable scopes_;
  std::vector<uint64_t> known_;    // by scope: distinct phones seen there
  std::vector<uint64_t> counted_;  // by scope: the CCM MIB's registered count
  std::unordered_map<std::string_view, uint32_t> cluster_scopes_, node_scopes_, switch_scopes_,
      subnet_scopes_, tftp_server_scopes_;
  std::unordered_map<uint64_t, uint32_t> module_scopes_;  // switch scope << 32 | module
  std::unordered_map<uint32_t, uint32_t> vlan_scopes_;
  std::unordered_map<std::string_view, std::pair<uint64_t, std::string_view>> node_cluster_;
  uint64_t said_count_ = 0;
  std::vector<Drop> drops_;
  std::vector<const StoredEvent*> candidates_;
};

// Pass 2: bursts per scope, with a sliding window over distinct phones. Scopes are visited in
// the order of their names so that bursts come out in one order whatever the input's.
std::vector<Burst> find_bursts(const DropCollector& pass1, const CorrelationSettings& settings) {
  const int64_t window_us = int64_t{settings.window_s} * 1'000'000;
  const int64_t quiet_us = int64_t{settings.quiet_s} * 1'000'000;
  const auto& drops = pass1.drops();
  const ScopeTable& scopes = pass1.scopes();
  std::vector<std::vector<size_t>> by_scope(scopes.size());
  for (size_t i = 0; i < drops.size(); ++i) {
    for (uint8_t k = 0; k < drops[i].scope_count; ++k) by_scope[drops[i].scopes[k]].push_back(i);
  }
  std::vector<uint32_t> order;
  for (uint32_t s = 0; s < by_scope.size(); ++s) {
    if (!by_scope[s].empty()) order.push_back(s);
  }
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return scopes.scope(a) < scopes.scope(b); });

  std::vector<Burst> bursts;
  std::vector<uint32_t> in_window(pass1.phones().size(), 0);   // drops per phone in the window
  std::vector<uint32_t> first_seen(pass1.phones().size(), 0);  // scratch: a burst's phones
  size_t distinct = 0;
  const auto enter = [&](size_t drop) {
    if (in_window[drops[drop].phone]++ == 0) ++distinct;
  };
  const auto leave = [&](size_t drop) {
    if (--in_window[drops[drop].phone] == 0) --distinct;
  };
  for (const uint32_t scope : order) {
    const auto& indexes = by_scope[scope];
    const double size = static_cast<double>(pass1.size_of(scope));
    const size_t threshold = std::max<size_t>(
        settings.min_phones, static_cast<size_t>(std::ceil(settings.min_fraction * size)));
    size_t begin = 0;
    size_t i = 0;
    for (; i < indexes.size(); ++i) {
      const Drop& d = drops[indexes[i]];
      enter(indexes[i]);
      while (drops[indexes[begin]].time_us < d.time_us - window_us) leave(indexes[begin++]);
      if (distinct < threshold) continue;
      // Over threshold: the burst runs from the window's first drop until quiet_s without one.
      Burst b;
      b.scope = scope;
      size_t j = begin;
      for (; j < indexes.size(); ++j) {
        if (j > begin && drops[indexes[j]].time_us - drops[indexes[j - 1]].time_us > quiet_us)
          break;
        b.drops.push_back(indexes[j]);
        b.phones.push_back(drops[indexes[j]].phone);
      }
      std::sort(b.phones.begin(), b.phones.end());
      b.phones.erase(std::unique(b.phones.begin(), b.phones.end()), b.phones.end());
      b.start_us = drops[indexes[begin]].time_us;
      b.end_us = drops[indexes[j - 1]].time_us;
      for (const size_t index : b.drops) {  // in time order: the first of each phone
        if (first_seen[drops[index].phone]++ == 0) b.first_drops.push_back(drops[index].time_us);
      }
      for (const size_t index : b.drops) first_seen[drops[index].phone] = 0;
      bursts.push_back(std::move(b));
      for (size_t k = begin; k <= i; ++k) leave(indexes[k]);  // the window starts empty again
      begin = j;
      i = j - 1;
    }
    for (size_t k = begin; k < i && k < indexes.size(); ++k) leave(indexes[k]);
  }
  return bursts;
}

// Pass 3: the narrowest scope that explains a burst is the one reported. Narrow means fewer
// phones known in the scope (a site-wide voice VLAN of 200 phones is broader than the CM node
// of 48 whose phones dropped, whatever their types), the type order breaking ties (a stack
// member before the /24 that holds exactly its phones).
//  1. From the broadest down, a burst holding explain_fraction of a broader one's phones
//     explains it, and the broader one is dropped: a chain (cluster by VLAN, VLAN by switch,
//     switch by stack member) ends at the member, and something is always left.
//  2. Of what is left, a burst whose own phones are mostly (explain_fraction) in a broader
//     burst is a fragment of that burst's event, and is dropped, unless that event is its own
//     (the broader burst was explained, through the chain, by this one): a CM node whose
//     phones dropped with a stack member, plus a few of ordinary churn, is not an incident of
//     its own.
// Only bursts that share phones can explain each other, so the pairs come from each phone's
// bursts: a 40,000-phone burst crosses thousands of scopes, and comparing every pair of them
// cost minutes where this costs the phones' memberships.
void suppress_explained(std::vector<Burst>& bursts, const DropCollector& pass1,
                        const CorrelationSettings& settings) {
  const ScopeTable& scopes = pass1.scopes();
  const int64_t window_us = int64_t{settings.window_s} * 1'000'000;
  const size_t n = bursts.size();
  std::vector<size_t> order(n);
  for (size_t a = 0; a < n; ++a) order[a] = a;
  const auto key = [&](size_t x) {
    return std::make_tuple(pass1.size_of(bursts[x].scope),
                           static_cast<int>(scopes.type(bursts[x].scope)),
                           scopes.scope(bursts[x].scope));
  };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) > key(b); });
  std::vector<size_t> position(n);
  for (size_t k = 0; k < n; ++k) position[order[k]] = k;
  std::vector<std::vector<uint32_t>> bursts_of_phone(pass1.phones().size());
  for (uint32_t a = 0; a < n; ++a) {
    for (const uint32_t phone : bursts[a].phones) bursts_of_phone[phone].push_back(a);
  }
  constexpr size_t kNone = static_cast<size_t>(-1);
  std::vector<size_t> explained_by(n, kNone);
  std::vector<std::vector<size_t>> fragment_of(n);  // broader bursts holding most of its phones
  std::vector<size_t> common(n, 0);
  std::vector<size_t> touched;
  for (const size_t a : order) {
    for (const uint32_t phone : bursts[a].phones) {
      for (const uint32_t b : bursts_of_phone[phone]) {
        if (position[b] >= position[a]) continue;  // only the broader ones, settled already
        if (common[b]++ == 0) touched.push_back(b);
      }
    }
    std::sort(touched.begin(), touched.end());  // the same outcome whatever the phones' order
    Burst& narrow = bursts[a];
    for (const size_t b : touched) {
      Burst& broad = bursts[b];
      const size_t shared = common[b];
      common[b] = 0;
      if (narrow.end_us < broad.start_us || broad.end_us < narrow.start_us) continue;
      if (shared == narrow.phones.size() && shared == broad.phones.size())
        narrow.twins.push_back(broad.scope);
      // The broader burst's phones that fell around the narrow one (a window either side): a
      // cluster's burst that ran on over ordinary churn for an hour is explained by the CM node
      // that held its storm, not diluted by the churn's phones.
      const auto around = [&](const Burst& x) {
        const auto from = std::lower_bound(x.first_drops.begin(), x.first_drops.end(),
                                           narrow.start_us - window_us);
        const auto to =
            std::upper_bound(x.first_drops.begin(), x.first_drops.end(), narrow.end_us + window_us);
        return static_cast<size_t>(to - from);
      };
      if (shared >= settings.explain_fraction * static_cast<double>(around(broad))) {
        if (!broad.suppressed) {
          broad.suppressed = true;  // the narrow scope explains it
          explained_by[b] = a;
        }
      } else if (shared >= settings.explain_fraction * static_cast<double>(narrow.phones.size())) {
        fragment_of[a].push_back(b);
      }
    }
    touched.clear();
  }
  // Who, in the end, explains a dropped burst: the one left at the end of its chain.
  const auto explainer = [&](size_t b) {
    while (explained_by[b] != kNone) b = explained_by[b];
    return b;
  };
  std::vector<bool> fragment(n, false);
  for (size_t a = 0; a < n; ++a) {
    if (bursts[a].suppressed) continue;
    for (const size_t b : fragment_of[a]) {
      const size_t owner = explainer(b);
      if (owner != a && !bursts[owner].suppressed) {
        fragment[a] = true;
        bursts[owner].fragments.push_back(a);
      }
    }
  }
  for (size_t a = 0; a < n; ++a) {
    if (fragment[a]) bursts[a].suppressed = true;
  }
}

// What is behind each subject a cause can have (cause_ranker.h): the sizes of the CM node,
// switch and module scopes, and the phones last placed on each switch port a candidate names.
// Once per pass: a port's phones cost one look at every phone, so only named ports are counted.
Populations populations_of(const DropCollector& pass1) {
  Populations out;
  const ScopeTable& scopes = pass1.scopes();
  for (uint32_t s = 0; s < scopes.size(); ++s) {
    std::map<std::string, uint64_t>* table = nullptr;
    switch (scopes.type(s)) {
      case ScopeType::kCmNode: table = &out.cm_nodes; break;
      case ScopeType::kSwitch: table = &out.switches; break;
      case ScopeType::kModule: table = &out.modules; break;
      default: continue;
    }
    table->emplace(scopes.scope(s).name, pass1.size_of(s));
  }
  // The ports candidates name and their groups, with the phones last placed there.
  std::unordered_map<std::string, uint64_t> named, groups;
  std::set<std::string, std::less<>> named_switches;  // short hosts
  for (const StoredEvent* c : pass1.candidates()) {
    std::string key = port_key_of(c->event);
    if (key.empty()) continue;
    named_switches.insert(short_host(c->event.origin()));
    if (std::string group = port_group(key); !group.empty()) groups.emplace(std::move(group), 0);
    named.emplace(std::move(key), 0);
  }
  if (named.empty()) return out;
  std::unordered_map<std::string_view, bool> on_named_switch;  // as phones' topology spells it
  for (uint32_t phone = 0; phone < pass1.phones().size(); ++phone) {
    const PlaceView& place = pass1.phone(phone).place;
    if (place.switch_name.empty() || place.port.empty()) continue;
    auto [it, added] = on_named_switch.try_emplace(place.switch_name, false);
    if (added) it->second = named_switches.count(short_host(std::string(place.switch_name))) > 0;
    if (!it->second) continue;
    const std::string key = port_key(place.switch_name, place.port);
    if (const auto n = named.find(key); n != named.end()) ++n->second;
    if (const auto g = groups.find(port_group(key)); g != groups.end()) ++g->second;
  }
  for (const auto& [key, n] : named) {
    if (n > 0) out.ports.emplace(key, n);
  }
  for (const auto& [group, n] : groups) {
    if (n > 0) out.port_groups.emplace(group, n);
  }
  return out;
}

// Pass 4: one reported burst as an incident, with its causes.
Incident make_incident(const Burst& b, const DropCollector& pass1, const Populations& populations,
                       const CorrelationSettings& settings, int64_t now_us) {
  const int64_t quiet_us = int64_t{settings.quiet_s} * 1'000'000;
  const int64_t lookback_us = int64_t{settings.lookback_s} * 1'000'000;
  const auto& drops = pass1.drops();
  Incident incident;
  incident.scope = pass1.scopes().scope(b.scope);  // the narrowest; chosen below, with the causes
  incident.start_us = b.start_us;
  incident.end_us = b.end_us;
  // Phones in name order: the incident's lists and tables are sorted by name.
  std::vector<uint32_t> phones = b.phones;
  std::sort(phones.begin(), phones.end(), [&](uint32_t x, uint32_t y) {
    return pass1.phones().name(x) < pass1.phones().name(y);
  });
  incident.phones.reserve(phones.size());
  for (const uint32_t phone : phones) incident.phones.emplace_back(pass1.phones().name(phone));
  std::unordered_map<uint32_t, int> drops_per_phone;
  std::unordered_map<uint32_t, int64_t> last_drop_us;  // its last drop in the burst
  std::unordered_map<uint32_t, PlaceView> first_place;
  for (size_t index : b.drops) {
    const Drop& d = drops[index];
    const auto& ph = d.stored->event.phone();
    const StoredEvent* stall = latest_boot_stall(d);
    const bool trust_failure = !stall && !ph.has_reason_code() && phone_reported_trust_failure(d);
    const int seen = ++drops_per_phone[d.phone];
    if (seen == 1 && stall) {
      const auto& boot = stall->event.phone().boot();
      BootStallCount& count = incident.boot_stalls[boot.rule()];
      ++count.phones;
      const int64_t since = boot.stage_since_us() ? boot.stage_since_us() : d.time_us;
      count.since_us = count.since_us ? std::min(count.since_us, since) : since;
      if (!boot.tftp_server().empty()) ++count.servers[boot.tftp_server()];
      count.evidence.push_back(stall->id);
    } else if (seen == 1 && ph.has_reason_code()) {
      auto& table = d.stored->event.kind() == regwatch::v1::PHONE_REGISTRATION_FAILED
                        ? incident.rejection_reasons
                        : incident.reasons;
      ++table[ph.reason_code()];
    } else if (seen == 1 && trust_failure) {
      ++incident.phone_auth_failures;
    }
    incident.drop_evidence.push_back(d.stored->id);
    for (const StoredEvent* again : d.merged) incident.drop_evidence.push_back(again->id);
    const bool rejected = d.stored->event.kind() == regwatch::v1::PHONE_REGISTRATION_FAILED;
    const std::string drop_class =
        stall           ? std::string(boot_stall_class(stall->event.phone().boot()))
        : trust_failure ? "security"
        : !ph.has_reason_code()
            ? "network"
            : std::string(rejected ? domain::registration_failure_reason_class(ph.reason_code())
                                   : domain::unregistration_reason_class(ph.reason_code()));
    auto& by_class = incident.drop_evidence_by_class[drop_class];
    by_class.push_back(d.stored->id);
    for (const StoredEvent* again : d.merged) by_class.push_back(again->id);
    first_place.try_emplace(d.phone, d.place);  // at its first drop: it may re-home afterwards
    int64_t& last = last_drop_us[d.phone];
    last = std::max(last, d.time_us);
  }
  std::map<std::string, PhonePlace> places;
  for (size_t k = 0; k < phones.size(); ++k) {
    const uint32_t phone = phones[k];
    const std::string& name = incident.phones[k];
    if (drops_per_phone[phone] >= static_cast<int>(settings.flap_drops))
      incident.flapping.push_back(name);
    const PhonePlace p = first_place[phone].place();
    ++incident.phones_by_cm[p.cm_node.empty() ? "unknown" : short_host(p.cm_node)];
    ++incident.phones_by_switch[p.switch_name.empty() ? "unknown" : short_host(p.switch_name)];
    const PhoneRecord& record = pass1.phone(phone);
    ++incident.phones_by_cluster[record.cluster.empty() ? "unknown" : std::string(record.cluster)];
    if (record.last_registered_us > last_drop_us[phone]) {
      ++incident.recovered;
    } else {
      incident.still_down.push_back(name);
    }
    places.emplace_hint(places.end(), name, p);
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
                    std::max(pass1.latest_us(), now_us) - incident.end_us >= quiet_us)
                       ? v1::INCIDENT_STATE_RESOLVED
                       : v1::INCIDENT_STATE_OPEN;
  std::vector<const StoredEvent*> window;
  for (const StoredEvent* c : pass1.candidates()) {
    const int64_t t = c->event.event_time_us();
    if (t >= b.start_us - lookback_us && t <= b.end_us) window.push_back(c);
  }
  std::vector<const StoredEvent*> burst_drops;
  for (size_t index : b.drops) {
    burst_drops.push_back(drops[index].stored);
    burst_drops.insert(burst_drops.end(), drops[index].merged.begin(), drops[index].merged.end());
  }
  incident.causes = rank_causes(incident, places, window, burst_drops, populations, settings);
  if (!b.twins.empty()) {
    // Several scopes hold these phones: the top cause says which (scope_choice.h). The causes
    // are ranked on the phones, the same in each; only a reason mix names the scope itself, so
    // they are ranked again when it moves.
    std::vector<Scope> holding = {incident.scope};
    for (const uint32_t twin : b.twins) holding.push_back(pass1.scopes().scope(twin));
    const Scope chosen = choose_scope(holding, incident.causes);
    if (chosen != incident.scope) {
      incident.scope = chosen;
      incident.causes = rank_causes(incident, places, window, burst_drops, populations, settings);
    }
    // The others that went down whole (every phone known there dropped): what to say "also".
    // A broader scope where other phones stayed up is explained by the reported one instead.
    const ScopeTable& table = pass1.scopes();
    std::vector<uint32_t> others = b.twins;
    others.push_back(b.scope);
    std::sort(others.begin(), others.end(), [&](uint32_t x, uint32_t y) {
      return std::forward_as_tuple(table.type(x), table.scope(x).name) <
             std::forward_as_tuple(table.type(y), table.scope(y).name);
    });
    for (const uint32_t scope : others) {
      // The unnamed cluster is only the phones no event placed in one: no place to look at.
      const bool unnamed =
          table.type(scope) == ScopeType::kCluster && table.scope(scope).name == kUnnamedCluster;
      if (table.scope(scope) != incident.scope && !unnamed && pass1.size_of(scope) <= phones.size())
        incident.also_scopes.push_back(table.scope(scope));
    }
  }
  incident.id = incident.scope.type + ":" + incident.scope.name + "@" + std::to_string(b.start_us);
  return incident;
}

// The fragment of b's event whose scope b's top cause explains first, when it holds more than
// half of b's phones; none otherwise.
const Burst* cause_scope_fragment(const Burst& b, const Incident& incident,
                                  const std::vector<Burst>& bursts, const DropCollector& pass1) {
  if (b.fragments.empty() || incident.causes.empty()) return nullptr;
  for (const Scope& explained : incident.causes.front().scopes) {
    if (explained == incident.scope) return nullptr;  // the reported scope is the cause's already
    for (const size_t f : b.fragments) {
      const Burst& fragment = bursts[f];
      if (pass1.scopes().scope(fragment.scope) == explained &&
          fragment.phones.size() * 2 > b.phones.size())
        return &fragment;
    }
  }
  return nullptr;
}

}  // namespace

bool CorrelationOrder::operator()(const StoredEvent* a, const StoredEvent* b) const {
  const auto key = [](const StoredEvent* s) {
    return std::make_tuple(s->event.event_time_us(), std::string_view(s->event.agent_id()),
                           s->event.seq(), s->id);
  };
  return key(a) < key(b);
}

std::vector<Incident> correlate(std::vector<const StoredEvent*> events,
                                const CorrelationSettings& settings, int64_t now_us) {
  // Deterministic order whatever the arrival (a caller keeping its events in order saves the
  // sort).
  if (!std::is_sorted(events.begin(), events.end(), CorrelationOrder{}))
    std::sort(events.begin(), events.end(), CorrelationOrder{});
  DropCollector pass1(settings, events.size());
  for (const StoredEvent* stored : events) pass1.add(*stored);
  pass1.finish();
  std::vector<Burst> bursts = find_bursts(pass1, settings);
  suppress_explained(bursts, pass1, settings);
  std::vector<Incident> incidents;
  std::optional<Populations> populations;  // only when there is an incident to rank
  for (const Burst& b : bursts) {
    if (b.suppressed) continue;
    if (!populations) populations = populations_of(pass1);
    Incident incident = make_incident(b, pass1, *populations, settings, now_us);
    if (auto narrower = cause_scope_fragment(b, incident, bursts, pass1)) {
      // Its top cause explains a narrower scope holding most of its phones, whose own burst
      // was taken for a fragment: the others are drops of another kind that fell at the same
      // time (a reboot elsewhere in a site-wide VLAN). Reported as that scope's, when its own
      // top cause is the same.
      Incident as_cause_says = make_incident(*narrower, pass1, *populations, settings, now_us);
      const Cause& top = incident.causes.front();
      const bool names_its_scope = top.subject == incident.scope.name;  // a reason mix
      if (!as_cause_says.causes.empty() && as_cause_says.causes.front().kind == top.kind &&
          (as_cause_says.causes.front().subject == top.subject || names_its_scope))
        incident = std::move(as_cause_says);
    }
    incidents.push_back(std::move(incident));
  }
  std::sort(incidents.begin(), incidents.end(), [](const Incident& a, const Incident& b) {
    return std::tie(a.start_us, a.id) < std::tie(b.start_us, b.id);
  });
  return incidents;
}

std::vector<Incident> correlate(const std::vector<StoredEvent>& events,
                                const CorrelationSettings& settings, int64_t now_us) {
  std::vector<const StoredEvent*> pointers;
  pointers.reserve(events.size());
  for (const auto& stored : events) pointers.push_back(&stored);
  return correlate(std::move(pointers), settings, now_us);
}

std::vector<int64_t> counted_drops(const std::vector<StoredEvent>& events,
                                   const CorrelationSettings& settings) {
  std::vector<const StoredEvent*> pointers;
  pointers.reserve(events.size());
  for (const auto& stored : events) pointers.push_back(&stored);
  std::sort(pointers.begin(), pointers.end(), CorrelationOrder{});
  DropCollector pass1(settings, pointers.size());
  for (const StoredEvent* stored : pointers) pass1.add(*stored);
  std::vector<int64_t> ids;
  for (const auto& drop : pass1.drops()) ids.push_back(drop.stored->id);
  return ids;
}

}  // namespace regwatch::collector::correlate
