#include "alerts/notifiers/alertmanager/alertmanager_payload.h"

#include <algorithm>

#include "alerts/notifiers/payload_fields.h"

namespace regwatch::alerts {

std::string alertmanager_body(const Alert& alert, int64_t now_us, int64_t valid_for_us,
                              const std::string& external_url) {
  return alertmanager_body(std::vector<Alert>{alert}, now_us, valid_for_us, external_url);
}

std::string alertmanager_body(const std::vector<Alert>& alerts, int64_t now_us,
                              int64_t valid_for_us, const std::string& external_url) {
  Json list = Json::array();
  for (const Alert& alert : alerts) {
    list.push_back({{"labels", object_of(alert.labels)},
                    {"annotations", object_of(alert.annotations)},
                    {"startsAt", rfc3339(alert.starts_us)},
                    {"endsAt", rfc3339(alert.resolved ? std::min(alert.ends_us, now_us)
                                                      : now_us + valid_for_us)},
                    {"generatorURL", alert_page_url(external_url, alert)}});
  }
  return list.dump();
}

}  // namespace regwatch::alerts
