#include "alerts/hold_rules.h"

#include <algorithm>
#include <vector>

#include "alerts/label_matcher.h"

namespace regwatch::alerts {

std::optional<regwatch::v1::Silence> silenced(SilenceSource& store, const Alert& alert,
                                              int64_t now_us) {
  auto active = store.list(false, now_us);
  if (!active.ok()) return std::nullopt;  // a broken silence table must not stop pages
  for (const auto& s : *active) {
    if (s.starts_us() <= now_us && silences(s, alert.labels)) return s;
  }
  return std::nullopt;
}

std::optional<std::string> inhibitor(IncidentSource& incidents, const Alert& alert,
                                     const AlertingConfig& config) {
  std::vector<const InhibitRule*> rules;
  for (const auto& rule : config.inhibit_rules) {
    if (matches_all(rule.target, alert.labels)) rules.push_back(&rule);
  }
  if (rules.empty()) return std::nullopt;
  auto firing = incidents.open_incidents();
  if (!firing.ok()) return std::nullopt;  // a busy store must not hold pages back
  for (const auto& stored : *firing) {
    if (stored.key == alert.key) continue;
    const auto source = alert_for(stored.record, config.rules, stored.key);
    if (!source || source->resolved) continue;
    for (const InhibitRule* rule : rules) {
      if (!matches_all(rule->source, source->labels)) continue;
      const bool same = std::all_of(rule->equal.begin(), rule->equal.end(), [&](const auto& l) {
        const auto a = alert.labels.find(l), b = source->labels.find(l);
        return a != alert.labels.end() && b != source->labels.end() && a->second == b->second;
      });
      if (same) return source->labels.at("alertname") + " " + stored.key;
    }
  }
  return std::nullopt;
}

}  // namespace regwatch::alerts
