#include "collector/store/incident_store.h"

namespace regwatch::collector::store {

Result<std::unique_ptr<IncidentWriter>> IncidentWriter::open(const std::string& path,
                                                             int busy_timeout_ms) {
  auto db = open_database(path, false, busy_timeout_ms);
  if (!db.ok()) return db.error();
  std::unique_ptr<IncidentWriter> writer(new IncidentWriter());
  writer->db_ = std::move(db).value();
  return writer;
}

Status IncidentWriter::replace_range(int64_t from_us, int64_t to_us,
                                     const std::vector<IncidentRow>& rows, int64_t now_us) {
  sqlite3* db = db_.get();
  if (auto begin = exec(db, "BEGIN IMMEDIATE"); !begin.ok()) return begin.error();
  auto fail = [&](Error error) -> Status {
    rollback(db);
    return error;
  };
  auto erase = Statement::prepare(
      db, "DELETE FROM incidents WHERE start_time_us >= ? AND start_time_us < ?");
  if (!erase.ok()) return fail(erase.error());
  erase->bind(1, from_us);
  erase->bind(2, to_us);
  if (int rc = erase->step(); rc != SQLITE_DONE)
    return fail(sqlite_error(db, rc, "replacing incidents"));
  auto insert = Statement::prepare(db,
                                   "INSERT OR REPLACE INTO incidents (id, state, class, "
                                   "scope_type, scope_name, start_time_us, end_time_us, "
                                   "phone_count, top_cause, updated_us, body) VALUES (?1, ?2, ?3, "
                                   "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!insert.ok()) return fail(insert.error());
  for (const auto& row : rows) {
    insert->reset();
    insert->bind(1, row.id);
    insert->bind(2, row.state);
    insert->bind(3, row.incident_class);
    insert->bind(4, row.scope_type);
    insert->bind(5, row.scope_name);
    insert->bind(6, row.start_time_us);
    insert->bind(7, row.end_time_us);
    insert->bind(8, int64_t{row.phone_count});
    insert->bind(9, row.top_cause);
    insert->bind(10, now_us);
    insert->bind(11, row.body_json);
    if (int rc = insert->step(); rc != SQLITE_DONE)
      return fail(sqlite_error(db, rc, "storing an incident"));
  }
  if (auto commit = exec(db, "COMMIT"); !commit.ok()) return fail(commit.error());
  return Ok{};
}

}  // namespace regwatch::collector::store
