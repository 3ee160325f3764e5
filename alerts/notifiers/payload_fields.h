#pragma once
// What the receivers' payloads share: an alert's labels and annotations read by name, times in
// RFC 3339, label maps and event ids as JSON, and Alertmanager's fingerprint. Pure.
#include <cstdint>
#include <map>
#include <string>

#include <google/protobuf/repeated_field.h>
#include <nlohmann/json.hpp>

#include "alerts/incident_alert.h"

namespace regwatch::alerts {

using Json = nlohmann::ordered_json;

Json object_of(const std::map<std::string, std::string>& map);
std::string rfc3339(int64_t us);
// Event ids as a JSON array.
Json ids(const google::protobuf::RepeatedField<int64_t>& field);
// The label's or annotation's value; "" when the alert has none of that name.
std::string label(const Alert& a, const char* name);
std::string annotation(const Alert& a, const char* name);

// The alert's page on the dashboard under `external_url` (an incident's postmortem, or the
// conditions on the Now page): what generatorURL links to. "" when external_url is "".
std::string alert_page_url(const std::string& external_url, const Alert& alert);

// Stable across runs: a hash of the sorted labels, 16 hex digits.
std::string fingerprint(const Alert& alert);

}  // namespace regwatch::alerts
