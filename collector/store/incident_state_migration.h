#pragma once
// Schema 012's conversion: incident records stored with their state as a word (regwatch.v1.Incident
// field 2, string) get it as regwatch.v1.IncidentState (field 20), in the migration's transaction
// (migrations.cpp runs it after 012's SQL). The state is taken from the row's state column, which
// the collector always wrote alongside the record and filters by; the old field, unknown to the
// current schema, is dropped so that the rewritten blob is byte for byte what the collector now
// writes for the same incident. A record that does not parse is left as it is and counted.
#include "collector/store/database.h"

#include <cstdint>

#include "common/result.h"

namespace regwatch::collector::store {

struct IncidentStateConversion {
  uint64_t rewritten = 0;
  uint64_t unreadable = 0;  // record blobs that did not parse: left untouched
};

// Rewrites the record of every incidents row. Runs inside the caller's transaction.
Result<IncidentStateConversion> convert_incident_states(Database* db);

}  // namespace regwatch::collector::store
