#pragma once
// From an incident (its JSON body, as stored) to the alert a rule makes of it:
// labels that route it, annotations that carry its cause to the person paged.
// Pure.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "alerts/alerting_config.h"

namespace regwatch::alerts {

struct Alert {
  std::string kind = "incident";  // or "condition" (alerts/condition_rules.h)
  std::string key;  // the incident's first id: the dedup key everywhere, stable while it moves
  std::map<std::string, std::string> labels;       // alertname, severity, class, scope, cause...
  std::map<std::string, std::string> annotations;  // summary, description, remediation, command
  int64_t starts_us = 0;
  int64_t ends_us = 0;     // the incident's last drop
  bool resolved = false;   // resolved or withdrawn
  bool withdrawn = false;  // a recomputation no longer finds the burst: resolve, never page
  bool notify = true;
  nlohmann::ordered_json incident;  // the body it was made from (an incident or a condition)
};

// The first matching rule's alert, or nothing when no rule matches. key: the
// incident's first id (collector/store/incident_lineage.h); its id when empty.
std::optional<Alert> alert_for_incident(const nlohmann::ordered_json& incident,
                                        const std::vector<AlertRule>& rules,
                                        const std::string& key = {});

// A condition alert's body (condition_body()) as an alert: its labels plus alertname and
// severity; a firing one has no end yet.
std::optional<Alert> alert_for_condition(const nlohmann::ordered_json& condition);

// Either, by the body's kind. key: an incident's first id.
std::optional<Alert> alert_for(const nlohmann::ordered_json& body,
                               const std::vector<AlertRule>& rules, const std::string& key);

}  // namespace regwatch::alerts
