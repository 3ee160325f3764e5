#pragma once
// The incident state enum (regwatch.v1.IncidentState, proto/regwatch/v1/incident.proto) in words,
// as the store's state column, the rendered JSON, the CLI's tables and filters and the
// notification payloads carry it: "open", "resolved", "withdrawn". The only place those words are
// spelled; everywhere between the store and the render edge holds the enum.
#include <array>
#include <optional>
#include <string_view>

#include "regwatch/v1/incident.pb.h"

namespace regwatch {

// "open", "resolved", "withdrawn"; "" for INCIDENT_STATE_UNSPECIFIED.
std::string_view incident_state_name(v1::IncidentState state);

// The inverse; nullopt for any other word (a row written by something else, a bad filter).
std::optional<v1::IncidentState> parse_incident_state(std::string_view name);

// Every state's word, for the CLI's filter choices.
std::array<std::string_view, 3> incident_state_names();

}  // namespace regwatch
