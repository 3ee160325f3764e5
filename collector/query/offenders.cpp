#include "collector/query/offenders.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "common/domain_tables.h"

namespace regwatch::collector::query {
namespace {

struct Tally {
  uint64_t drops = 0;
  std::set<std::string> phones;
  int64_t last_drop_us = 0;
  std::map<int32_t, uint64_t> reasons;  // -1: none given
  std::string where;
};

void add_reasons(const std::map<int32_t, uint64_t>& counts,
                 google::protobuf::RepeatedPtrField<regwatch::v1::ReasonCount>& out) {
  std::vector<std::pair<int32_t, uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [code, n] : sorted) {
    auto* r = out.Add();
    r->set_code(code);
    r->set_name(code < 0 ? "none given" : std::string(domain::unregistration_reason_name(code)));
    r->set_drops(n);
  }
}

void add_top(const std::map<std::string, Tally>& tallies, uint32_t limit,
             google::protobuf::RepeatedPtrField<regwatch::v1::Offender>& out) {
  std::vector<const std::pair<const std::string, Tally>*> ranked;
  for (const auto& entry : tallies) ranked.push_back(&entry);
  // Most drops first; then the most recent; then by name, so ties print the same way each time.
  std::sort(ranked.begin(), ranked.end(), [](const auto* a, const auto* b) {
    if (a->second.drops != b->second.drops) return a->second.drops > b->second.drops;
    if (a->second.last_drop_us != b->second.last_drop_us)
      return a->second.last_drop_us > b->second.last_drop_us;
    return a->first < b->first;
  });
  for (size_t i = 0; i < ranked.size() && i < limit; ++i) {
    const auto& [name, t] = *ranked[i];
    auto* o = out.Add();
    o->set_name(name);
    o->set_drops(t.drops);
    o->set_phones(t.phones.size());
    o->set_last_drop_us(t.last_drop_us);
    o->set_where(t.where);
    add_reasons(t.reasons, *o->mutable_reasons());
  }
}

void count(Tally& t, const std::string& device, int64_t time_us, int32_t reason,
           const std::string& where) {
  ++t.drops;
  t.phones.insert(device);
  if (time_us >= t.last_drop_us) {
    t.last_drop_us = time_us;
    t.where = where;
  }
  ++t.reasons[reason];
}

}  // namespace

regwatch::v1::TopReply rank_offenders(const std::vector<DropReport>& drops,
                                      const std::vector<Sighting>& sightings, uint32_t limit,
                                      int64_t merge_us) {
  // Each device's sightings, as a range of the sorted vector.
  std::unordered_map<std::string_view, std::pair<size_t, size_t>> sighted;
  for (size_t i = 0; i < sightings.size(); ++i) {
    auto [it, added] = sighted.try_emplace(sightings[i].device, i, i + 1);
    if (!added) it->second.second = i + 1;
  }
  auto place_of = [&](const std::string& device, int64_t time_us) -> const Sighting* {
    const auto it = sighted.find(device);
    if (it == sighted.end()) return nullptr;
    const auto first = sightings.begin() + static_cast<long>(it->second.first);
    const auto last = sightings.begin() + static_cast<long>(it->second.second);
    auto after = std::upper_bound(first, last, time_us,
                                  [](int64_t t, const Sighting& s) { return t < s.time_us; });
    return after == first ? nullptr : &*(after - 1);
  };

  regwatch::v1::TopReply reply;
  std::map<std::string, Tally> phones, ports, switches;
  std::map<int32_t, uint64_t> reasons;
  for (size_t i = 0; i < drops.size();) {
    // One drop: this report and those of the same device close after it.
    size_t j = i + 1;
    while (j < drops.size() && drops[j].device == drops[i].device &&
           drops[j].time_us - drops[j - 1].time_us <= merge_us)
      ++j;
    int32_t reason = -1;
    for (size_t k = i; k < j; ++k) {
      if (drops[k].reason) {
        reason = *drops[k].reason;
        break;
      }
    }
    const DropReport& drop = drops[i];
    const Sighting* place = place_of(drop.device, drop.time_us);
    const std::string port = place ? place->switch_name + " " + place->port : "";
    count(phones[drop.device], drop.device, drop.time_us, reason, port);
    if (place) {
      count(ports[port], drop.device, drop.time_us, reason, place->switch_name);
      count(switches[place->switch_name], drop.device, drop.time_us, reason, "");
    } else {
      reply.set_drops_without_port(reply.drops_without_port() + 1);
    }
    ++reasons[reason];
    reply.set_drops(reply.drops() + 1);
    i = j;
  }
  reply.set_phones_dropped(phones.size());
  add_top(phones, limit, *reply.mutable_phones());
  add_top(ports, limit, *reply.mutable_ports());
  add_top(switches, limit, *reply.mutable_switches());
  add_reasons(reasons, *reply.mutable_reasons());
  return reply;
}

}  // namespace regwatch::collector::query
