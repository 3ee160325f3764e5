#include "alerts/stored_alert.h"

namespace regwatch::alerts {

std::optional<Alert> alert_of(const AlertingConfig& config, const nlohmann::ordered_json& body,
                              const std::string& key) {
  auto alert = alert_for(body, config.rules, key);
  if (alert) {
    for (const auto& [name, value] : config.external_labels) alert->labels.emplace(name, value);
  }
  return alert;
}

}  // namespace regwatch::alerts
