#pragma once
// An incident as the JSON object `regwatch incidents --format json` prints
// and the store keeps: id, state, class, scope {type, name}, start_time,
// end_time (RFC 3339), phone_count, phones, phones_by_cm, phones_by_switch,
// reasons, flapping, recovered, causes [{kind, subject, score, explanation,
// remediation, evidence}], drop_evidence.
#include <string>

#include "collector/correlate/incident.h"

namespace regwatch::collector::correlate {

std::string incident_json(const Incident& incident);

}  // namespace regwatch::collector::correlate
