#include "alerts/incident_alert.h"

#include <algorithm>
#include <limits>
#include <sstream>

#include "common/record_json.h"

namespace regwatch::alerts {
namespace {

// "ucm-sub1": the map's largest entry (the first in name order among equals), never "unknown".
std::string largest(const google::protobuf::Map<std::string, uint32_t>& counts) {
  const std::map<std::string, uint32_t> ordered(counts.begin(), counts.end());
  std::string best;
  int64_t most = -1;
  for (const auto& [name, n] : ordered) {
    if (int64_t{n} > most && name != "unknown") {
      most = n;
      best = name;
    }
  }
  return best;
}

}  // namespace

std::optional<Alert> alert_for_incident(const v1::Incident& incident,
                                        const std::vector<AlertRule>& rules,
                                        const std::string& key) {
  const std::string& incident_class = incident.incident_class();
  const auto phones = static_cast<uint32_t>(incident.phones_size());
  const std::string& scope_type = incident.scope().type();
  const std::string& scope_name = incident.scope().name();
  const AlertRule* rule = nullptr;
  for (const auto& r : rules) {
    const bool class_ok = r.classes.empty() || std::find(r.classes.begin(), r.classes.end(),
                                                         incident_class) != r.classes.end();
    if (class_ok && phones >= r.min_phones) {
      rule = &r;
      break;
    }
  }
  if (!rule) return std::nullopt;
  Alert a;
  a.key = key.empty() ? incident.id() : key;
  a.incident = incident;
  a.notify = rule->notify;
  a.starts_us = incident.start_us();
  a.ends_us = incident.end_us();
  a.withdrawn = incident.state() == v1::INCIDENT_STATE_WITHDRAWN;
  a.resolved = a.withdrawn || incident.state() == v1::INCIDENT_STATE_RESOLVED;
  std::string severity = rule->severity;
  const bool wide = std::find(rule->critical_scopes.begin(), rule->critical_scopes.end(),
                              scope_type) != rule->critical_scopes.end();
  if ((rule->critical_min_phones > 0 && phones >= rule->critical_min_phones) || wide)
    severity = "critical";
  const v1::Cause* top = incident.causes().empty() ? nullptr : &incident.causes(0);
  a.labels = {{"alertname", rule->alert},
              {"severity", severity},
              {"class", incident_class},
              {"scope_type", scope_type},
              {"scope", scope_name},
              {"incident", a.key},
              {"cause", top ? top->kind() : ""},
              {"cause_subject", top ? top->subject() : ""}};
  if (const auto cm = largest(incident.phones_by_cm()); !cm.empty()) a.labels["cm_node"] = cm;
  if (const auto sw = largest(incident.phones_by_switch()); !sw.empty()) a.labels["switch"] = sw;
  if (const auto cluster = largest(incident.phones_by_cluster()); !cluster.empty())
    a.labels["cluster"] = cluster;
  for (auto it = a.labels.begin(); it != a.labels.end();) {
    it = it->second.empty() ? a.labels.erase(it) : std::next(it);
  }
  std::ostringstream summary;
  summary << phones << " phones unregistered on " << scope_type << " " << scope_name;
  // Other scopes that went down whole with it (a member whose phones are one /24): the on-call
  // should know the subnet is all down too, though the member is what failed.
  const std::string also = also_scopes_words(incident);
  if (!also.empty()) summary << " (" << also << ")";
  if (top) summary << ": " << top->kind() << " on " << top->subject();
  if (a.withdrawn) summary << " (withdrawn: later events show no burst)";
  a.annotations["summary"] = summary.str();
  std::ostringstream description;
  if (!also.empty()) {
    description << phones << " phones on " << scope_type << " " << scope_name << ", " << also
                << "\n";
    a.annotations["also_scopes"] = also;
  }
  int rank = 0;
  for (const auto& c : incident.causes()) {
    if (++rank > 3) break;
    description << rank << ". " << c.kind() << " on " << c.subject() << " (score "
                << score_text(c.score()) << "): " << c.explanation() << "\n";
  }
  a.annotations["description"] = description.str();
  a.annotations["remediation"] = top ? top->remediation() : "";  // present even when empty
  a.annotations["command"] = "regwatch incident '" + a.key + "'";
  a.annotations["incident_class"] = incident_class;
  return a;
}

std::optional<Alert> alert_for_condition(const v1::Alert& condition) {
  Alert a;
  a.kind = "condition";
  a.key = condition.id();
  if (a.key.empty()) return std::nullopt;
  a.condition = condition;
  a.notify = condition.notify();
  a.starts_us = condition.start_us();
  a.resolved = condition.status() == v1::ALERT_STATUS_RESOLVED;
  a.ends_us = a.resolved ? condition.end_us() : std::numeric_limits<int64_t>::max();
  for (const auto& [name, value] : condition.labels()) {
    if (!value.empty()) a.labels[name] = value;
  }
  a.labels["alertname"] = condition.alertname();
  a.labels["severity"] = condition.severity();
  a.labels["condition"] = condition.condition();
  for (const auto& [annotation, value] : {std::pair{"summary", &condition.summary()},
                                          {"description", &condition.description()},
                                          {"remediation", &condition.remediation()},
                                          {"command", &condition.command()}}) {
    if (!value->empty()) a.annotations[annotation] = *value;
  }
  return a;
}

std::optional<Alert> alert_for(const AlertSource& source, const std::vector<AlertRule>& rules,
                               const std::string& key) {
  if (const auto* condition = std::get_if<v1::Alert>(&source))
    return alert_for_condition(*condition);
  return alert_for_incident(std::get<v1::Incident>(source), rules, key);
}

}  // namespace regwatch::alerts
