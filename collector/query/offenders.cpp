#include "collector/query/offenders.h"

#include <algorithm>
#include <compare>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

#include "common/domain_tables.h"

namespace regwatch::collector::query {
namespace {

// A reason code and its table: a rejection's code is EndPointRegistrationFailed's, not
// EndPointUnregistered's.
struct ReasonKey {
  int32_t code = -1;  // -1: none given
  bool rejected = false;
  // clang-tidy 14 reads the defaulted comparison's 0 as a null pointer.
  auto operator<=>(const ReasonKey&) const = default;  // NOLINT(modernize-use-nullptr)
};

struct Tally {
  uint64_t drops = 0;
  std::set<std::string> phones;
  int64_t last_drop_us = 0;
  std::map<ReasonKey, uint64_t> reasons;
  std::string where;
};

std::string reason_name(const ReasonKey& key) {
  if (key.code < 0) return "none given";
  return std::string(key.rejected ? domain::registration_failure_reason_name(key.code)
                                  : domain::unregistration_reason_name(key.code));
}

void add_reasons(const std::map<ReasonKey, uint64_t>& counts,
                 google::protobuf::RepeatedPtrField<regwatch::v1::ReasonCount>& out) {
  std::vector<std::pair<ReasonKey, uint64_t>> sorted(counts.begin(), counts.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [key, n] : sorted) {
    auto* r = out.Add();
    r->set_code(key.code);
    r->set_name(reason_name(key));
    r->set_drops(n);
  }
}

void add_top(const std::map<std::string, Tally>& tallies, uint32_t limit,
             google::protobuf::RepeatedPtrField<regwatch::v1::Offender>& out) {
  std::vector<const std::pair<const std::string, Tally>*> ranked;
  ranked.reserve(tallies.size());
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

void count(Tally& t, const std::string& device, int64_t time_us, ReasonKey reason,
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

const std::vector<std::string>& offender_report_kinds() {
  static const std::vector<std::string> kKinds = [] {
    std::vector<std::string> out = correlate::DropRule::drop_kind_names();
    out.push_back("phone_registered");
    return out;
  }();
  return kKinds;
}

void for_each_drop(const std::vector<DropReport>& reports, const correlate::DropRule& rule,
                   FunctionRef<void(const DropReport& first, const DropReport* reasoned)> on_drop) {
  // The drop being read: its first report, and the first of its reports that gave a reason.
  const DropReport* first = nullptr;
  const DropReport* reasoned = nullptr;
  const auto end_drop = [&] {
    if (first) on_drop(*first, reasoned);
    first = nullptr;
    reasoned = nullptr;
  };
  std::optional<correlate::PhoneDrops> phone;
  for (size_t i = 0; i < reports.size(); ++i) {
    const DropReport& r = reports[i];
    if (i == 0 || r.device != reports[i - 1].device) {
      end_drop();
      phone.emplace(rule);
    }
    if (r.kind == regwatch::v1::PHONE_REGISTERED) {
      phone->registered(r.time_us);
      continue;
    }
    if (!correlate::DropRule::is_drop_kind(r.kind)) continue;
    if (phone->report(r.time_us, r.kind)) {
      end_drop();
      first = &r;
    }
    if (r.reason && !reasoned) reasoned = &r;
  }
  end_drop();
}

regwatch::v1::TopReply rank_offenders(const std::vector<DropReport>& reports,
                                      const std::vector<Sighting>& sightings, uint32_t limit,
                                      const correlate::DropRule& rule) {
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
  std::map<ReasonKey, uint64_t> reasons;
  for_each_drop(reports, rule, [&](const DropReport& first, const DropReport* reasoned) {
    const ReasonKey why = reasoned
                              ? ReasonKey{*reasoned->reason,
                                          reasoned->kind == regwatch::v1::PHONE_REGISTRATION_FAILED}
                              : ReasonKey{};
    const Sighting* place = place_of(first.device, first.time_us);
    const std::string port = place ? place->switch_name + " " + place->port : "";
    count(phones[first.device], first.device, first.time_us, why, port);
    if (place) {
      count(ports[port], first.device, first.time_us, why, place->switch_name);
      count(switches[place->switch_name], first.device, first.time_us, why, "");
    } else {
      reply.set_drops_without_port(reply.drops_without_port() + 1);
    }
    ++reasons[why];
    reply.set_drops(reply.drops() + 1);
  });
  reply.set_phones_dropped(phones.size());
  add_top(phones, limit, *reply.mutable_phones());
  add_top(ports, limit, *reply.mutable_ports());
  add_top(switches, limit, *reply.mutable_switches());
  add_reasons(reasons, *reply.mutable_reasons());
  return reply;
}

}  // namespace regwatch::collector::query
