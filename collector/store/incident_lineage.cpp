#include "collector/store/incident_lineage.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "common/incident_state.h"

namespace regwatch::collector::store {
namespace {

size_t shared_phones(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t shared = 0;
  for (auto i = a.begin(), j = b.begin(); i != a.end() && j != b.end();) {
    if (*i < *j) {
      ++i;
    } else if (*j < *i) {
      ++j;
    } else {
      ++shared;
      ++i;
      ++j;
    }
  }
  return shared;
}

}  // namespace

Lineage assign_lineage(const std::vector<IncidentSnapshot>& stored,
                       const std::vector<IncidentSnapshot>& recomputed) {
  Lineage lineage;
  lineage.continues.resize(recomputed.size());
  std::vector<bool> taken(stored.size(), false);
  std::map<std::string, size_t> stored_by_id;
  for (size_t s = 0; s < stored.size(); ++s) stored_by_id.emplace(stored[s].id, s);
  for (size_t r = 0; r < recomputed.size(); ++r) {
    if (auto it = stored_by_id.find(recomputed[r].id); it != stored_by_id.end()) {
      lineage.continues[r] = it->second;
      taken[it->second] = true;
    }
  }
  // The remaining pairs, most shared phones first; ties by ids so the outcome does not depend
  // on the order the store returned its rows in.
  struct Pair {
    size_t shared, r, s;
  };
  std::vector<Pair> pairs;
  for (size_t r = 0; r < recomputed.size(); ++r) {
    if (lineage.continues[r]) continue;
    const auto& now = recomputed[r];
    for (size_t s = 0; s < stored.size(); ++s) {
      if (taken[s]) continue;
      const auto& before = stored[s];
      if (now.start_us > before.end_us || before.start_us > now.end_us) continue;
      const size_t shared = shared_phones(now.phones, before.phones);
      const size_t smaller = std::min(now.phones.size(), before.phones.size());
      if (shared == 0 || shared * 2 < smaller) continue;
      pairs.push_back({shared, r, s});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [&](const Pair& a, const Pair& b) {
    return std::make_tuple(-static_cast<int64_t>(a.shared), recomputed[a.r].id, stored[a.s].id) <
           std::make_tuple(-static_cast<int64_t>(b.shared), recomputed[b.r].id, stored[b.s].id);
  });
  for (const auto& p : pairs) {
    if (lineage.continues[p.r] || taken[p.s]) continue;
    lineage.continues[p.r] = p.s;
    taken[p.s] = true;
  }
  for (size_t s = 0; s < stored.size(); ++s) {
    if (!taken[s] && stored[s].state != v1::INCIDENT_STATE_WITHDRAWN)
      lineage.withdrawn.push_back(s);
  }
  return lineage;
}

std::string describe_change(const IncidentSnapshot* before, const IncidentSnapshot& after,
                            size_t last_recorded_phones) {
  if (!before || before->state == v1::INCIDENT_STATE_WITHDRAWN) {
    return "opened: " + std::to_string(after.phones.size()) + " phones on " + after.scope_type +
           " " + after.scope_name + ", top cause " + after.top_cause;
  }
  std::string change;
  auto add = [&](const std::string& part) { change += (change.empty() ? "" : "; ") + part; };
  const bool reopened =
      before->state == v1::INCIDENT_STATE_RESOLVED && after.state == v1::INCIDENT_STATE_OPEN;
  if (reopened) add("reopened: phones dropped again");
  if (before->scope_type != after.scope_type || before->scope_name != after.scope_name)
    add("scope " + before->scope_type + " " + before->scope_name + " -> " + after.scope_type + " " +
        after.scope_name);
  if (before->top_cause != after.top_cause)
    add("top cause " + before->top_cause + " -> " + after.top_cause);
  if (before->incident_class != after.incident_class)
    add("class " + before->incident_class + " -> " + after.incident_class);
  if (before->start_us != after.start_us) add("first drop moved (late events)");
  // The change text is words at the edge: a plain state change says the new state's word.
  if (before->state != after.state && !reopened) add(std::string(incident_state_name(after.state)));
  const size_t recorded = last_recorded_phones ? last_recorded_phones : before->phones.size();
  const bool doubled = after.phones.size() >= 2 * recorded;
  if (after.phones.size() != before->phones.size() && (doubled || !change.empty())) {
    const std::string count = std::to_string(before->phones.size()) + " -> " +
                              std::to_string(after.phones.size()) + " phones";
    change = change.empty() ? count : count + "; " + change;
  }
  return change;
}

}  // namespace regwatch::collector::store
