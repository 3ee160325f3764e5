#include "alerts/incident_alert.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "common/scope_words.h"
#include "common/time_format.h"

namespace regwatch::alerts {
namespace {

using Json = nlohmann::ordered_json;

std::string text(const Json& j, const char* key) {
  if (!j.contains(key)) return {};
  const Json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return {};
  return v.dump();
}

int64_t time_of(const Json& j, const char* key) {
  auto t = parse_time_arg(text(j, key), 0);
  return t.ok() ? *t : 0;
}

// "ucm-sub1 (38)": the map's largest entry.
std::string largest(const Json& counts) {
  std::string best;
  int64_t most = -1;
  if (!counts.is_object()) return best;
  for (const auto& [name, n] : counts.items()) {
    if (n.is_number() && n.get<int64_t>() > most && name != "unknown") {
      most = n.get<int64_t>();
      best = name;
    }
  }
  return best;
}

}  // namespace

std::optional<Alert> alert_for_incident(const Json& incident, const std::vector<AlertRule>& rules,
                                        const std::string& key) {
  const std::string incident_class = text(incident, "class");
  const uint32_t phones = incident.value("phone_count", 0u);
  const Json scope = incident.value("scope", Json::object());
  const std::string scope_type = text(scope, "type"), scope_name = text(scope, "name");
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
  a.key = key.empty() ? text(incident, "id") : key;
  a.incident = incident;
  a.notify = rule->notify;
  a.starts_us = time_of(incident, "start_time");
  a.ends_us = time_of(incident, "end_time");
  a.withdrawn = text(incident, "state") == "withdrawn";
  a.resolved = a.withdrawn || text(incident, "state") == "resolved";
  std::string severity = rule->severity;
  const bool wide = std::find(rule->critical_scopes.begin(), rule->critical_scopes.end(),
                              scope_type) != rule->critical_scopes.end();
  if ((rule->critical_min_phones > 0 && phones >= rule->critical_min_phones) || wide)
    severity = "critical";
  const Json causes = incident.value("causes", Json::array());
  const Json top = causes.empty() ? Json::object() : causes[0];
  a.labels = {{"alertname", rule->alert},
              {"severity", severity},
              {"class", incident_class},
              {"scope_type", scope_type},
              {"scope", scope_name},
              {"incident", a.key},
              {"cause", top.is_object() ? text(top, "kind") : ""},
              {"cause_subject", top.is_object() ? text(top, "subject") : ""}};
  if (const auto cm = largest(incident.value("phones_by_cm", Json::object())); !cm.empty())
    a.labels["cm_node"] = cm;
  if (const auto sw = largest(incident.value("phones_by_switch", Json::object())); !sw.empty())
    a.labels["switch"] = sw;
  if (const auto cluster = largest(incident.value("phones_by_cluster", Json::object()));
      !cluster.empty())
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
  if (top.is_object() && !top.empty()) {
    summary << ": " << text(top, "kind") << " on " << text(top, "subject");
  }
  if (a.withdrawn) summary << " (withdrawn: later events show no burst)";
  a.annotations["summary"] = summary.str();
  std::ostringstream description;
  if (!also.empty()) {
    description << phones << " phones on " << scope_type << " " << scope_name << ", " << also
                << "\n";
    a.annotations["also_scopes"] = also;
  }
  int rank = 0;
  for (const auto& c : causes) {
    if (++rank > 3) break;
    description << rank << ". " << text(c, "kind") << " on " << text(c, "subject") << " (score "
                << text(c, "score") << "): " << text(c, "explanation") << "\n";
  }
  a.annotations["description"] = description.str();
  if (top.is_object()) a.annotations["remediation"] = text(top, "remediation");
  a.annotations["command"] = "regwatch incident '" + a.key + "'";
  a.annotations["incident_class"] = incident_class;
  return a;
}

std::optional<Alert> alert_for_condition(const Json& condition) {
  Alert a;
  a.kind = "condition";
  a.key = text(condition, "id");
  if (a.key.empty()) return std::nullopt;
  a.incident = condition;
  a.notify = condition.value("notify", true);
  a.starts_us = time_of(condition, "start_time");
  a.resolved = text(condition, "state") == "resolved";
  a.ends_us = a.resolved ? time_of(condition, "end_time") : std::numeric_limits<int64_t>::max();
  const Json labels = condition.value("labels", Json::object());
  for (const auto& [name, value] : labels.items()) {
    if (value.is_string() && !value.get<std::string>().empty())
      a.labels[name] = value.get<std::string>();
  }
  a.labels["alertname"] = text(condition, "alertname");
  a.labels["severity"] = text(condition, "severity");
  a.labels["condition"] = text(condition, "condition");
  for (const char* annotation : {"summary", "description", "remediation", "command"}) {
    if (const auto value = text(condition, annotation); !value.empty())
      a.annotations[annotation] = value;
  }
  return a;
}

std::optional<Alert> alert_for(const Json& body, const std::vector<AlertRule>& rules,
                               const std::string& key) {
  if (body.value("kind", "") == "condition") return alert_for_condition(body);
  return alert_for_incident(body, rules, key);
}

}  // namespace regwatch::alerts
