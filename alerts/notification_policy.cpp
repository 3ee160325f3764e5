#include "alerts/notification_policy.h"

#include <array>
#include <vector>

namespace regwatch::alerts {
namespace {

// As collector/correlate/scope_table.h orders them (tftp_server last: a logical scope).
constexpr std::array<std::string_view, 7> kNarrowToBroad = {
    "module", "switch", "vlan", "subnet", "cm_node", "cluster", "tftp_server"};

std::string label_of(const Alert& alert, const char* name) {
  const auto it = alert.labels.find(name);
  return it == alert.labels.end() ? std::string() : it->second;
}

// The told text's fields: severity, scope type, scope, cause.
std::array<std::string, 4> fields_of(std::string_view told) {
  std::array<std::string, 4> fields;
  size_t field = 0;
  for (const char c : told) {
    if (c == '|' && field + 1 < fields.size()) {
      ++field;
    } else {
      fields[field] += c;
    }
  }
  return fields;
}

}  // namespace

std::string told_of(const Alert& alert) {
  return label_of(alert, "severity") + "|" + label_of(alert, "scope_type") + "|" +
         label_of(alert, "scope") + "|" + label_of(alert, "cause");
}

int scope_breadth(std::string_view scope_type) {
  for (size_t i = 0; i < kNarrowToBroad.size(); ++i) {
    if (kNarrowToBroad[i] == scope_type) return static_cast<int>(i);
  }
  return -1;
}

std::string change_that_matters(std::string_view told, const Alert& now) {
  const auto [severity, scope_type, scope, cause] = fields_of(told);
  const auto after = fields_of(told_of(now));
  std::string change;
  const auto add = [&](const std::string& part) { change += (change.empty() ? "" : "; ") + part; };
  if (severity != after[0]) add("severity " + severity + " -> " + after[0]);
  if (scope_breadth(after[1]) > scope_breadth(scope_type))
    add("scope widened: " + scope_type + " " + scope + " -> " + after[1] + " " + after[2]);
  if (cause != after[3]) add("top cause " + (cause.empty() ? "none" : cause) + " -> " + after[3]);
  return change;
}

Decision decide(const Alert& alert, const std::optional<OutboxRow>& last, bool too_old) {
  const bool was_told_firing = last && last->notice.status == v1::ALERT_STATUS_FIRING;
  if (alert.resolved) {
    if (was_told_firing) return {Owed::kResolved, {}};
    // A burst that was over before it was first seen (but recently) still pages, then
    // resolves; a withdrawn one never pages; one that resolved again owes nothing more.
    if (!last && !too_old && !alert.withdrawn) return {Owed::kFirst, {}};
    return {};
  }
  if (!was_told_firing) {
    if (too_old) return {};
    if (!last) return {Owed::kFirst, {}};
    return {Owed::kReopened, "firing again after its resolve"};
  }
  std::string change = change_that_matters(last->notice.told, alert);
  if (change.empty()) return {};
  return {last->pending() ? Owed::kRetell : Owed::kChanged, std::move(change)};
}

}  // namespace regwatch::alerts
