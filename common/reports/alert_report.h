#pragma once
// Condition alerts (Query.Alerts) as JSON: what `regwatch alerts --format json` prints and the
// HTTP API answers with. Pure.
#include <nlohmann/json.hpp>

#include "regwatch/v1/query.pb.h"

namespace regwatch::reports {

// The array of alerts, each as common/record_json.h's alert_json, in the list's order.
nlohmann::ordered_json alerts_json(const v1::AlertList& list);

}  // namespace regwatch::reports
