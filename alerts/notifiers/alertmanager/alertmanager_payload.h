#pragma once
// The alertmanager receiver's payload: API v2 postable alerts (POST /api/v2/alerts). Pure: time
// is passed in.
#include <cstdint>
#include <string>
#include <vector>

#include "alerts/incident_alert.h"

namespace regwatch::alerts {

// Firing alerts are sent with an end time valid_for_us ahead of now_us and re-sent while they
// fire (as Prometheus does), so Alertmanager resolves the alerts of a collector that died
// instead of keeping them active; resolved ones end at the incident's end.
// external_url: the dashboard's (AlertingConfig::external_url); each alert's generatorURL is
// its page under it ("" without one).
std::string alertmanager_body(const Alert& alert, int64_t now_us, int64_t valid_for_us,
                              const std::string& external_url = {});
std::string alertmanager_body(const std::vector<Alert>& alerts, int64_t now_us,
                              int64_t valid_for_us, const std::string& external_url = {});

}  // namespace regwatch::alerts
