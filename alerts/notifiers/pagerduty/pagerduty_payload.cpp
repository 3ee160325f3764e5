#include "alerts/notifiers/pagerduty/pagerduty_payload.h"

#include "alerts/notifiers/payload_fields.h"
#include "common/record_json.h"

namespace regwatch::alerts {
namespace {

std::string pagerduty_trigger(const std::string& routing_key, const std::string& dedup_key,
                              const Json& payload) {
  return Json{{"routing_key", routing_key},
              {"event_action", "trigger"},
              {"dedup_key", dedup_key},
              {"client", "regwatch"},
              {"payload", payload}}
      .dump();
}

}  // namespace

std::string pagerduty_body(const Alert& alert, const std::string& routing_key) {
  if (alert.resolved) {
    return Json{{"routing_key", routing_key}, {"event_action", "resolve"}, {"dedup_key", alert.key}}
        .dump();
  }
  std::string summary = annotation(alert, "summary");
  if (summary.size() > 1024) summary = summary.substr(0, 1021) + "...";
  const std::string severity = label(alert, "severity");
  const std::string pd_severity =
      severity == "critical" || severity == "warning" ? severity : "info";
  if (alert.kind == "condition") {
    Json payload{{"summary", summary},
                 {"source", alert.labels.count("cm_node")  ? label(alert, "cm_node")
                            : alert.labels.count("source") ? label(alert, "source")
                            : alert.labels.count("agent")  ? label(alert, "agent")
                                                           : std::string("regwatch")},
                 {"severity", pd_severity},
                 {"timestamp", rfc3339(alert.starts_us)},
                 {"group", label(alert, "alertname")},
                 {"class", label(alert, "condition")},
                 {"custom_details",
                  {{"alert", alert.key},
                   {"labels", object_of(alert.labels)},
                   {"description", annotation(alert, "description")},
                   {"remediation", annotation(alert, "remediation")},
                   {"command", annotation(alert, "command")},
                   {"evidence", ids(alert.condition.evidence())}}}};
    return pagerduty_trigger(routing_key, alert.key, payload);
  }
  // The incident's rendering (common/record_json.h) for what the page shows as it does.
  const Json incident = incident_json(alert.incident);
  Json details{{"incident", alert.key},
               {"class", label(alert, "class")},
               {"scope", label(alert, "scope_type") + " " + label(alert, "scope")},
               {"phones", incident["phone_count"]},
               {"causes", annotation(alert, "description")},
               {"remediation", annotation(alert, "remediation")},
               {"command", annotation(alert, "command")},
               {"phones_by_cm", incident["phones_by_cm"]},
               {"phones_by_switch", incident["phones_by_switch"]}};
  // Why this notification: it came back, or something that matters changed; the last page
  // its scope may send before flap damping.
  for (const char* note : {"update", "flapping"}) {
    if (const auto text = annotation(alert, note); !text.empty()) details[note] = text;
  }
  Json payload{{"summary", summary},
               {"source", label(alert, "scope")},
               {"severity", pd_severity},
               {"timestamp", rfc3339(alert.starts_us)},
               {"component", label(alert, "cause_subject")},
               {"group", label(alert, "scope_type")},
               {"class", label(alert, "cause")},
               {"custom_details", details}};
  return pagerduty_trigger(routing_key, alert.key, payload);
}

}  // namespace regwatch::alerts
