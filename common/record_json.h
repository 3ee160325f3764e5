#pragma once
// Incidents and condition alerts rendered as JSON: the one render function per message, used at
// the edges only (the CLI's --format json, `regwatch incident --format json`, notification
// payloads). The field names and values are the user-visible contract and do not change with the
// proto:
//   incident: id, state, class, scope {type, name}, also_scopes [{type, name}], start_time,
//     end_time (RFC 3339 ms), phone_count, recovered, still_down, phones_by_cm,
//     phones_by_switch, phones_by_cluster (objects in key order), reasons and
//     rejection_reasons [{code, name, phones}], phone_auth_failures, causes [{kind, subject,
//     score (3 decimals), explanation, remediation, evidence}], phones, flapping, drop_evidence.
//   condition alert: kind "condition", id, alertname, condition, state, severity, notify,
//     labels, summary, description, remediation, command, start_time, end_time ("" while
//     firing), evidence.
// Pure.
#include <string>

#include <nlohmann/json.hpp>

#include "regwatch/v1/incident.pb.h"

namespace regwatch {

nlohmann::ordered_json incident_json(const v1::Incident& incident);
nlohmann::ordered_json alert_json(const v1::Alert& alert);

// A cause's score as the incident's JSON shows it (rounded to 3 decimals): "0.92".
std::string score_text(double score);

// An incident's also_scopes in words, the same in `regwatch incident` and the pages: "also all of
// subnet 10.88.3.0/24, vlan 110" ("" when none). (common/scope_words.h says the same of the
// rendered JSON, for readers that still hold it.)
std::string also_scopes_words(const v1::Incident& incident);

}  // namespace regwatch
