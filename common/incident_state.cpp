#include "common/incident_state.h"

namespace regwatch {

std::string_view incident_state_name(v1::IncidentState state) {
  switch (state) {
    case v1::INCIDENT_STATE_OPEN: return "open";
    case v1::INCIDENT_STATE_RESOLVED: return "resolved";
    case v1::INCIDENT_STATE_WITHDRAWN: return "withdrawn";
    default: return "";
  }
}

std::optional<v1::IncidentState> parse_incident_state(std::string_view name) {
  for (auto state :
       {v1::INCIDENT_STATE_OPEN, v1::INCIDENT_STATE_RESOLVED, v1::INCIDENT_STATE_WITHDRAWN}) {
    if (name == incident_state_name(state)) return state;
  }
  return std::nullopt;
}

std::array<std::string_view, 3> incident_state_names() {
  return {incident_state_name(v1::INCIDENT_STATE_OPEN),
          incident_state_name(v1::INCIDENT_STATE_RESOLVED),
          incident_state_name(v1::INCIDENT_STATE_WITHDRAWN)};
}

}  // namespace regwatch
