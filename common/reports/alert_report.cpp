#include "common/reports/alert_report.h"

#include "common/record_json.h"

namespace regwatch::reports {

nlohmann::ordered_json alerts_json(const v1::AlertList& list) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const auto& a : list.alerts()) array.push_back(alert_json(a));
  return array;
}

}  // namespace regwatch::reports
