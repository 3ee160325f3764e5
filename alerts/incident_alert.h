#pragma once
// From an incident (its record, as stored) to the alert a rule makes of it:
// labels that route it, annotations that carry its cause to the person paged.
// Pure.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "alerts/alerting_config.h"
#include "common/alert_source.h"
#include "regwatch/v1/incident.pb.h"

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
  v1::Incident incident;  // kind "incident": the record it was made from
  v1::Alert condition;    // kind "condition": the episode it was made from
};

// The first matching rule's alert, or nothing when no rule matches. key: the
// incident's first id (collector/store/incident_lineage.h); its id when empty.
std::optional<Alert> alert_for_incident(const v1::Incident& incident,
                                        const std::vector<AlertRule>& rules,
                                        const std::string& key = {});

// A condition alert's episode (condition_record()) as an alert: its labels plus alertname and
// severity; a firing one has no end yet. Nothing when it has no id.
std::optional<Alert> alert_for_condition(const v1::Alert& condition);

// Either, by what it was made from. key: an incident's first id.
std::optional<Alert> alert_for(const AlertSource& source, const std::vector<AlertRule>& rules,
                               const std::string& key);

}  // namespace regwatch::alerts
