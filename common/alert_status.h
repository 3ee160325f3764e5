#pragma once
// The alert status enum (regwatch.v1.AlertStatus, proto/regwatch/v1/incident.proto) in words, as
// the store's text columns and the rendered JSON carry it: "firing", "resolved". The only place
// those words are spelled; everywhere between the store and the render edge holds the enum.
#include <optional>
#include <string_view>

#include "regwatch/v1/incident.pb.h"

namespace regwatch {

// "firing", "resolved"; "" for ALERT_STATUS_UNSPECIFIED.
std::string_view alert_status_name(v1::AlertStatus status);

// The inverse; nullopt for any other word (a row written by something else).
std::optional<v1::AlertStatus> parse_alert_status(std::string_view name);

}  // namespace regwatch
