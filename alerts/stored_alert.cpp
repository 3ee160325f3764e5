#include "alerts/stored_alert.h"

namespace regwatch::alerts {

std::optional<Alert> alert_of(const AlertingConfig& config, const AlertSource& source,
                              const std::string& key) {
  auto alert = alert_for(source, config.rules, key);
  if (alert) {
    for (const auto& [name, value] : config.external_labels) alert->labels.emplace(name, value);
  }
  return alert;
}

}  // namespace regwatch::alerts
