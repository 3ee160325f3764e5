#include "alerts/notifiers/webhook/webhook_payload.h"

#include <algorithm>

#include "alerts/notifiers/payload_fields.h"
#include "common/alert_status.h"

namespace regwatch::alerts {

std::string webhook_body(const Alert& alert, const std::string& receiver,
                         const std::string& external_url) {
  return webhook_body(std::vector<Alert>{alert}, receiver, {{"incident", alert.key}}, external_url);
}

std::string webhook_body(const std::vector<Alert>& alerts, const std::string& receiver,
                         const std::map<std::string, std::string>& group_labels,
                         const std::string& external_url) {
  const bool firing =
      std::any_of(alerts.begin(), alerts.end(), [](const Alert& a) { return !a.resolved; });
  const auto status_of = [](bool resolved) {
    return std::string(
        alert_status_name(resolved ? v1::ALERT_STATUS_RESOLVED : v1::ALERT_STATUS_FIRING));
  };
  const std::string status = status_of(!firing);
  Json list = Json::array();
  std::map<std::string, std::string> common_labels, common_annotations;
  for (size_t i = 0; i < alerts.size(); ++i) {
    const Alert& alert = alerts[i];
    list.push_back({{"status", status_of(alert.resolved)},
                    {"labels", object_of(alert.labels)},
                    {"annotations", object_of(alert.annotations)},
                    {"startsAt", rfc3339(alert.starts_us)},
                    {"endsAt", alert.resolved ? rfc3339(alert.ends_us) : "0001-01-01T00:00:00Z"},
                    {"generatorURL", alert_page_url(external_url, alert)},
                    {"fingerprint", fingerprint(alert)}});
    // What every alert of the notification shares.
    auto keep_common = [&](std::map<std::string, std::string>& common,
                           const std::map<std::string, std::string>& mine) {
      if (i == 0) {
        common = mine;
        return;
      }
      for (auto it = common.begin(); it != common.end();) {
        const auto other = mine.find(it->first);
        it = other == mine.end() || other->second != it->second ? common.erase(it) : std::next(it);
      }
    };
    keep_common(common_labels, alert.labels);
    keep_common(common_annotations, alert.annotations);
  }
  std::string group_key = "{}:{";
  bool first = true;
  for (const auto& [name, value] : group_labels) {
    group_key += (first ? "" : ",") + name + "=\"" + value + "\"";
    first = false;
  }
  group_key += "}";
  Json body{{"version", "4"},
            {"groupKey", group_key},
            {"truncatedAlerts", 0},
            {"status", status},
            {"receiver", receiver},
            {"groupLabels", object_of(group_labels)},
            {"commonLabels", object_of(common_labels)},
            {"commonAnnotations", object_of(common_annotations)},
            {"externalURL", external_url},
            {"alerts", list}};
  return body.dump();
}

}  // namespace regwatch::alerts
