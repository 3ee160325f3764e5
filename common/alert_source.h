#pragma once
// What an alert is made from: an incident (correlation) or a condition alert's episode
// (alerts/condition_rules.h), as the store keeps them and alerting reads them back.
#include <variant>

#include "regwatch/v1/incident.pb.h"

namespace regwatch {

using AlertSource = std::variant<v1::Incident, v1::Alert>;

}  // namespace regwatch
