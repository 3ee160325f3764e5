#include "common/alert_status.h"

namespace regwatch {

std::string_view alert_status_name(v1::AlertStatus status) {
  switch (status) {
    case v1::ALERT_STATUS_FIRING: return "firing";
    case v1::ALERT_STATUS_RESOLVED: return "resolved";
    default: return "";
  }
}

std::optional<v1::AlertStatus> parse_alert_status(std::string_view name) {
  if (name == "firing") return v1::ALERT_STATUS_FIRING;
  if (name == "resolved") return v1::ALERT_STATUS_RESOLVED;
  return std::nullopt;
}

}  // namespace regwatch
