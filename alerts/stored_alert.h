#pragma once
// The alert of a stored incident or condition (its record, as alerting reads it back), as the
// configured rules make it, with the configured external labels added (an alert's own label of
// the same name wins). Shared by the router, each delivery step and Alertmanager's re-sends,
// so every place renders the same alert. Pure.
#include <optional>
#include <string>

#include "alerts/alerting_config.h"
#include "alerts/incident_alert.h"
#include "common/alert_source.h"

namespace regwatch::alerts {

std::optional<Alert> alert_of(const AlertingConfig& config, const AlertSource& source,
                              const std::string& key);

}  // namespace regwatch::alerts
