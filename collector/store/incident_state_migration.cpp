#include "collector/store/incident_state_migration.h"

#include <string>

#include "collector/store/database.h"
#include "common/incident_state.h"
#include "common/record_bytes.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::collector::store {

Result<IncidentStateConversion> convert_incident_states(Database* db) {
  IncidentStateConversion done;
  auto rows = Statement::prepare(db, "SELECT id, state, record FROM incidents");
  if (!rows.ok()) return rows.error();
  auto set_record = Statement::prepare(db, "UPDATE incidents SET record = ?2 WHERE id = ?1");
  if (!set_record.ok()) return set_record.error();
  int rc = 0;
  while ((rc = rows->step()) == kStepRow) {
    v1::Incident record;
    if (!parse_record(rows->column_blob(2), record)) {
      ++done.unreadable;
      continue;
    }
    // The old string field 2 parses as an unknown field: dropped, the column says the same.
    record.DiscardUnknownFields();
    record.set_state(
        parse_incident_state(rows->column_text(1)).value_or(v1::INCIDENT_STATE_UNSPECIFIED));
    set_record->reset();
    set_record->bind(1, rows->column_text(0));
    set_record->bind_blob(2, deterministic_bytes(record));
    if (int set_rc = set_record->step(); set_rc != kStepDone)
      return database_error(db, set_rc, "rewriting an incident's state");
    ++done.rewritten;
  }
  if (rc != kStepDone) return database_error(db, rc, "reading incidents to rewrite");
  return done;
}

}  // namespace regwatch::collector::store
