#pragma once
// Schema 010's conversion: incidents and condition alerts stored as JSON bodies (schema 002 and
// 006, the collector before typed records) become regwatch.v1.Incident / regwatch.v1.Alert
// records, in the migration's transaction (migrations.cpp runs it after 010's SQL). The JSON is
// the one common/record_json.h renders; reading it back gives the same rendering, except that
// a cause's score keeps only the 3 decimals the JSON had. A body that is not such JSON keeps
// what the row's columns say (id, state, class, scope, times) and is counted.
#include "collector/store/database.h"

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::collector::store {

// nullopt when the text is not a JSON object.
std::optional<v1::Incident> incident_from_legacy_json(std::string_view body);
std::optional<v1::Alert> alert_from_legacy_json(std::string_view body);

struct LegacyConversion {
  uint64_t incidents = 0;
  uint64_t alerts = 0;
  uint64_t unreadable = 0;  // bodies that were not JSON objects: records from the columns
};

// Fills the record column of every incidents and condition_alerts row from its body. Runs inside
// the caller's transaction.
Result<LegacyConversion> convert_legacy_records(Database* db);

}  // namespace regwatch::collector::store
