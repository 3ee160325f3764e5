#include "collector/store/incident_store.h"

#include <algorithm>

#include "collector/store/incident_lineage.h"
#include "common/incident_state.h"
#include "common/record_bytes.h"

namespace regwatch::collector::store {
namespace {

struct StoredRow {
  IncidentSnapshot snapshot;
  v1::Incident record;
};

std::vector<std::string> phones_of(const v1::Incident& record) {
  std::vector<std::string> phones(record.phones().begin(), record.phones().end());
  std::sort(phones.begin(), phones.end());
  phones.erase(std::unique(phones.begin(), phones.end()), phones.end());
  return phones;
}

IncidentSnapshot snapshot_of(const IncidentRow& row) {
  IncidentSnapshot s;
  s.id = row.id;
  s.state = row.state;
  s.incident_class = row.incident_class;
  s.scope_type = row.scope_type;
  s.scope_name = row.scope_name;
  s.top_cause = row.top_cause;
  s.start_us = row.start_time_us;
  s.end_us = row.end_time_us;
  s.phones = row.phones;
  return s;
}

Result<std::vector<StoredRow>> stored_in_range(Database* db, int64_t from_us, int64_t to_us) {
  auto select = Statement::prepare(
      db,
      "SELECT id, first_id, state, class, scope_type, scope_name, top_cause, start_time_us, "
      "end_time_us, record FROM incidents WHERE start_time_us >= ?1 AND start_time_us < ?2 "
      "ORDER BY id");
  if (!select.ok()) return select.error();
  select->bind(1, from_us);
  select->bind(2, to_us);
  std::vector<StoredRow> rows;
  int rc = 0;
  while ((rc = select->step()) == kStepRow) {
    StoredRow row;
    auto& s = row.snapshot;
    s.id = select->column_text(0);
    s.first_id = select->column_text(1);
    if (s.first_id.empty()) s.first_id = s.id;
    // A word nothing writes reads as unspecified: lineage then treats the row as not withdrawn.
    s.state = parse_incident_state(select->column_text(2)).value_or(v1::INCIDENT_STATE_UNSPECIFIED);
    s.incident_class = select->column_text(3);
    s.scope_type = select->column_text(4);
    s.scope_name = select->column_text(5);
    s.top_cause = select->column_text(6);
    s.start_us = select->column_int(7);
    s.end_us = select->column_int(8);
    // A record that does not parse lists no phones: lineage then matches it by nothing.
    if (!parse_record(select->column_blob(9), row.record)) row.record.Clear();
    s.phones = phones_of(row.record);
    rows.push_back(std::move(row));
  }
  if (rc != kStepDone) return database_error(db, rc, "reading stored incidents");
  return rows;
}

Status record_update(Statement& insert, const std::string& first_id, int64_t now_us,
                     const IncidentSnapshot& s, const std::string& change, Database* db) {
  insert.reset();
  insert.bind(1, first_id);
  insert.bind(2, now_us);
  insert.bind(3, s.id);
  insert.bind(4, incident_state_name(s.state));
  insert.bind(5, s.incident_class);
  insert.bind(6, s.scope_type);
  insert.bind(7, s.scope_name);
  insert.bind(8, static_cast<int64_t>(s.phones.size()));
  insert.bind(9, s.top_cause);
  insert.bind(10, change);
  if (int rc = insert.step(); rc != kStepDone)
    return database_error(db, rc, "recording an incident update");
  return Ok{};
}

}  // namespace

Result<std::unique_ptr<IncidentWriter>> IncidentWriter::open(const std::string& path,
                                                             int busy_timeout_ms) {
  auto db = open_database(path, false, busy_timeout_ms);
  if (!db.ok()) return db.error();
  std::unique_ptr<IncidentWriter> writer(new IncidentWriter());
  writer->db_ = std::move(db).value();
  return writer;
}

Result<std::vector<KeyedIncident>> IncidentWriter::replace_range(
    int64_t from_us, int64_t to_us, const std::vector<IncidentRow>& rows, int64_t now_us) {
  Database* db = db_.get();
  if (auto begin = begin_write(db); !begin.ok()) return begin.error();
  auto fail = [&](Error error) -> Result<std::vector<KeyedIncident>> {
    rollback(db);
    return error;
  };
  auto stored = stored_in_range(db, from_us, to_us);
  if (!stored.ok()) return fail(stored.error());
  std::vector<IncidentSnapshot> before, after;
  for (const auto& s : *stored) before.push_back(s.snapshot);
  for (const auto& row : rows) after.push_back(snapshot_of(row));
  const Lineage lineage = assign_lineage(before, after);

  auto update = Statement::prepare(
      db,
      "INSERT INTO incident_updates (first_id, at_us, id, state, class, scope_type, scope_name, "
      "phone_count, top_cause, change) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  if (!update.ok()) return fail(update.error());
  std::vector<KeyedIncident> written;

  // Withdrawn first: kept (hidden from listings) so that their pages can be resolved.
  auto withdraw = Statement::prepare(
      db, "UPDATE incidents SET state = ?4, record = ?2, updated_us = ?3 WHERE id = ?1");
  if (!withdraw.ok()) return fail(withdraw.error());
  for (size_t s : lineage.withdrawn) {
    const auto& old = (*stored)[s];
    v1::Incident gone_record = old.record;
    gone_record.set_state(v1::INCIDENT_STATE_WITHDRAWN);
    withdraw->reset();
    withdraw->bind(1, old.snapshot.id);
    withdraw->bind_blob(2, deterministic_bytes(gone_record));
    withdraw->bind(3, now_us);
    withdraw->bind(4, incident_state_name(v1::INCIDENT_STATE_WITHDRAWN));
    if (int rc = withdraw->step(); rc != kStepDone)
      return fail(database_error(db, rc, "withdrawing an incident"));
    IncidentSnapshot gone = old.snapshot;
    gone.state = v1::INCIDENT_STATE_WITHDRAWN;
    const std::string change = "withdrawn: recomputed with later events, no longer a burst";
    if (auto recorded = record_update(*update, old.snapshot.first_id, now_us, gone, change, db);
        !recorded.ok())
      return fail(recorded.error());
    written.push_back({old.snapshot.first_id, old.snapshot.id, change, std::move(gone_record)});
  }

  auto erase = Statement::prepare(db,
                                  "DELETE FROM incidents WHERE start_time_us >= ? AND "
                                  "start_time_us < ? AND state != 'withdrawn'");
  if (!erase.ok()) return fail(erase.error());
  erase->bind(1, from_us);
  erase->bind(2, to_us);
  if (int rc = erase->step(); rc != kStepDone)
    return fail(database_error(db, rc, "replacing incidents"));
  auto erase_one = Statement::prepare(db, "DELETE FROM incidents WHERE id = ?1");
  if (!erase_one.ok()) return fail(erase_one.error());
  auto insert = Statement::prepare(db,
                                   "INSERT INTO incidents (id, state, class, scope_type, "
                                   "scope_name, start_time_us, end_time_us, phone_count, "
                                   "top_cause, updated_us, record, first_id) VALUES (?1, ?2, ?3, "
                                   "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id) DO "
                                   "UPDATE SET state = excluded.state, class = excluded.class, "
                                   "scope_type = excluded.scope_type, scope_name = "
                                   "excluded.scope_name, start_time_us = excluded.start_time_us, "
                                   "end_time_us = excluded.end_time_us, phone_count = "
                                   "excluded.phone_count, top_cause = excluded.top_cause, "
                                   "updated_us = excluded.updated_us, record = excluded.record, "
                                   "first_id = excluded.first_id");
  if (!insert.ok()) return fail(insert.error());
  auto alias = Statement::prepare(
      db, "INSERT INTO incident_ids (id, first_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
  if (!alias.ok()) return fail(alias.error());
  // The phone count its updates last recorded: growth is recorded when it doubles that.
  auto recorded_count = Statement::prepare(
      db, "SELECT phone_count FROM incident_updates WHERE first_id = ?1 ORDER BY seq DESC LIMIT 1");
  if (!recorded_count.ok()) return fail(recorded_count.error());
  for (size_t r = 0; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const StoredRow* continued = lineage.continues[r] ? &(*stored)[*lineage.continues[r]] : nullptr;
    const std::string first_id = continued ? continued->snapshot.first_id : row.id;
    if (continued && continued->snapshot.state == v1::INCIDENT_STATE_WITHDRAWN) {
      // Found again: the withdrawn row (maybe under another id) gives way to it.
      erase_one->reset();
      erase_one->bind(1, continued->snapshot.id);
      if (int rc = erase_one->step(); rc != kStepDone)
        return fail(database_error(db, rc, "replacing a withdrawn incident"));
    }
    insert->reset();
    insert->bind(1, row.id);
    insert->bind(2, incident_state_name(row.state));
    insert->bind(3, row.incident_class);
    insert->bind(4, row.scope_type);
    insert->bind(5, row.scope_name);
    insert->bind(6, row.start_time_us);
    insert->bind(7, row.end_time_us);
    insert->bind(8, int64_t{row.phone_count});
    insert->bind(9, row.top_cause);
    insert->bind(10, now_us);
    insert->bind_blob(11, deterministic_bytes(row.record));
    insert->bind(12, first_id);
    if (int rc = insert->step(); rc != kStepDone)
      return fail(database_error(db, rc, "storing an incident"));
    alias->reset();
    alias->bind(1, row.id);
    alias->bind(2, first_id);
    if (int rc = alias->step(); rc != kStepDone)
      return fail(database_error(db, rc, "storing an incident's id"));
    size_t last_recorded = 0;
    if (continued) {
      recorded_count->reset();
      recorded_count->bind(1, first_id);
      const int rc = recorded_count->step();
      if (rc == kStepRow) {
        last_recorded = static_cast<size_t>(recorded_count->column_int(0));
      } else if (rc != kStepDone) {
        return fail(database_error(db, rc, "reading an incident's updates"));
      }
    }
    const std::string change =
        describe_change(continued ? &continued->snapshot : nullptr, after[r], last_recorded);
    if (!change.empty()) {
      if (auto recorded = record_update(*update, first_id, now_us, after[r], change, db);
          !recorded.ok())
        return fail(recorded.error());
    }
    written.push_back({first_id, row.id, change, row.record});
  }
  if (auto committed = commit(db); !committed.ok()) return fail(committed.error());
  return written;
}

Result<std::optional<std::pair<int64_t, int64_t>>> IncidentWriter::open_ended_before(
    int64_t ended_before_us) {
  auto select = Statement::prepare(db_.get(),
                                   "SELECT count(*), min(start_time_us), max(end_time_us) FROM "
                                   "incidents WHERE state = 'open' AND end_time_us < ?1");
  if (!select.ok()) return select.error();
  select->bind(1, ended_before_us);
  if (int rc = select->step(); rc != kStepRow)
    return database_error(db_.get(), rc, "reading open incidents");
  if (select->column_int(0) == 0) return std::optional<std::pair<int64_t, int64_t>>();
  return std::optional<std::pair<int64_t, int64_t>>(
      std::pair{select->column_int(1), select->column_int(2)});
}

Result<std::vector<IncidentWriter::OpenCount>> IncidentWriter::open_counts() {
  auto select = Statement::prepare(db_.get(),
                                   "SELECT class, scope_type, count(*) FROM incidents "
                                   "WHERE state = 'open' GROUP BY class, scope_type");
  if (!select.ok()) return select.error();
  std::vector<OpenCount> counts;
  int rc = kStepRow;
  while ((rc = select->step()) == kStepRow) {
    counts.push_back(OpenCount{std::string(select->column_text(0)),
                               std::string(select->column_text(1)),
                               static_cast<uint64_t>(select->column_int(2))});
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "counting open incidents");
  return counts;
}

}  // namespace regwatch::collector::store
