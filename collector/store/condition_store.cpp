#include "collector/store/condition_store.h"

#include <algorithm>

#include "common/alert_status.h"
#include "common/record_bytes.h"

namespace regwatch::collector::store {

Result<std::unique_ptr<ConditionStore>> ConditionStore::open(const std::string& path,
                                                             int busy_timeout_ms) {
  auto db = open_database(path, false, busy_timeout_ms);
  if (!db.ok()) return db.error();
  std::unique_ptr<ConditionStore> store(new ConditionStore());
  store->db_ = std::move(db).value();
  return store;
}

Result<std::vector<SourceActivity>> ConditionStore::sources(int64_t since_us) {
  auto select = Statement::prepare(db_.get(),
                                   "SELECT agent_id, origin, source, first_us, last_us, events "
                                   "FROM sources WHERE last_us >= ?1 ORDER BY agent_id, origin, "
                                   "source");
  if (!select.ok()) return select.error();
  select->bind(1, since_us);
  std::vector<SourceActivity> out;
  int rc = 0;
  while ((rc = select->step()) == kStepRow) {
    SourceActivity s;
    s.agent_id = select->column_text(0);
    s.origin = select->column_text(1);
    s.source = select->column_text(2);
    s.first_us = select->column_int(3);
    s.last_us = select->column_int(4);
    s.events = select->column_int(5);
    out.push_back(std::move(s));
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading sources");
  return out;
}

Result<std::vector<ConditionRow>> ConditionStore::firing() {
  auto select = Statement::prepare(db_.get(),
                                   "SELECT key, identity, state, starts_us, updated_us, "
                                   "inactive_since_us, ends_us, record FROM condition_alerts WHERE "
                                   "state = 'firing' ORDER BY key");
  if (!select.ok()) return select.error();
  std::vector<ConditionRow> out;
  int rc = 0;
  while ((rc = select->step()) == kStepRow) {
    ConditionRow row;
    row.key = select->column_text(0);
    row.identity = select->column_text(1);
    row.state = parse_alert_status(select->column_text(2)).value_or(v1::ALERT_STATUS_UNSPECIFIED);
    row.starts_us = select->column_int(3);
    row.updated_us = select->column_int(4);
    if (!select->column_is_null(5)) row.inactive_since_us = select->column_int(5);
    if (!select->column_is_null(6)) row.ends_us = select->column_int(6);
    if (!parse_record(select->column_blob(7), row.record)) continue;  // not one we wrote
    out.push_back(std::move(row));
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading condition alerts");
  return out;
}

Status ConditionStore::save(const std::vector<ConditionRow>& rows) {
  if (rows.empty()) return Ok{};
  Database* db = db_.get();
  if (auto begin = begin_write(db); !begin.ok()) return begin.error();
  auto upsert = Statement::prepare(
      db,
      "INSERT INTO condition_alerts (key, identity, state, starts_us, updated_us, "
      "inactive_since_us, ends_us, record) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
      "ON CONFLICT (key) DO UPDATE SET identity = excluded.identity, state = excluded.state, "
      "starts_us = excluded.starts_us, updated_us = excluded.updated_us, "
      "inactive_since_us = excluded.inactive_since_us, ends_us = excluded.ends_us, "
      "record = excluded.record");
  if (!upsert.ok()) {
    rollback(db);
    return upsert.error();
  }
  for (const auto& row : rows) {
    upsert->reset();
    upsert->bind(1, row.key);
    upsert->bind(2, row.identity);
    upsert->bind(3, alert_status_name(row.state));
    upsert->bind(4, row.starts_us);
    upsert->bind(5, row.updated_us);
    if (row.inactive_since_us) {
      upsert->bind(6, *row.inactive_since_us);
    } else {
      upsert->bind_null(6);
    }
    if (row.ends_us) {
      upsert->bind(7, *row.ends_us);
    } else {
      upsert->bind_null(7);
    }
    upsert->bind_blob(8, deterministic_bytes(row.record));
    if (int rc = upsert->step(); rc != kStepDone) {
      Error error = database_error(db, rc, "storing a condition alert");
      rollback(db);
      return error;
    }
  }
  if (auto committed = commit(db); !committed.ok()) {
    rollback(db);
    return committed.error();
  }
  return Ok{};
}

Result<bool> ConditionStore::registered_since(const std::string& device, int64_t since_us) {
  auto select = Statement::prepare(db_.get(),
                                   "SELECT 1 FROM events WHERE device = ?1 AND event_time_us >= ?2 "
                                   "AND kind = 'phone_registered' LIMIT 1");
  if (!select.ok()) return select.error();
  select->bind(1, device);
  select->bind(2, since_us);
  const int rc = select->step();
  if (rc == kStepRow) return true;
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading registrations");
  return false;
}

Result<std::vector<QuietIncident>> ConditionStore::quiet_incidents(int64_t from_us, int64_t to_us,
                                                                   int64_t live_within_us,
                                                                   size_t max_phones) {
  auto select = Statement::prepare(
      db_.get(),
      "SELECT first_id, id, scope_type, scope_name, end_time_us, quieted, record FROM (SELECT "
      "i.*, (SELECT max(at_us) FROM incident_updates AS u WHERE u.first_id = i.first_id AND "
      "u.state = 'resolved') AS quieted, (SELECT min(at_us) FROM incident_updates AS u WHERE "
      "u.first_id = i.first_id) AS first_seen FROM incidents AS i WHERE i.state = 'resolved') AS q "
      "WHERE quieted BETWEEN ?1 AND ?2 AND first_seen - end_time_us <= ?3 ORDER BY first_id");
  if (!select.ok()) return select.error();
  select->bind(1, from_us);
  select->bind(2, to_us);
  select->bind(3, live_within_us);
  // Whether a listed phone registered since the incident's last drop.
  auto registered = Statement::prepare(db_.get(),
                                       "SELECT 1 FROM events WHERE device = ?1 AND event_time_us "
                                       "> ?2 AND kind = 'phone_registered' LIMIT 1");
  if (!registered.ok()) return registered.error();
  std::vector<QuietIncident> incidents;
  int rc = 0;
  while ((rc = select->step()) == kStepRow) {
    QuietIncident incident;
    incident.key = select->column_text(0);
    incident.id = select->column_text(1);
    if (incident.key.empty()) incident.key = incident.id;
    incident.scope_type = select->column_text(2);
    incident.scope_name = select->column_text(3);
    incident.end_us = select->column_int(4);
    incident.quieted_us = select->column_int(5);
    v1::Incident record;
    if (!parse_record(select->column_blob(6), record)) continue;  // not one we wrote
    std::vector<std::string> listed(record.still_down().begin(), record.still_down().end());
    std::sort(listed.begin(), listed.end());
    for (const auto& phone : listed) {
      if (incident.still_down.size() >= max_phones) break;
      registered->reset();
      registered->bind(1, phone);
      registered->bind(2, incident.end_us);
      const int phone_rc = registered->step();
      if (phone_rc == kStepDone) {
        incident.still_down.push_back(phone);
      } else if (phone_rc != kStepRow) {
        return database_error(db_.get(), phone_rc, "reading phones still down");
      }
    }
    if (!incident.still_down.empty()) incidents.push_back(std::move(incident));
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading quiet incidents");
  return incidents;
}

}  // namespace regwatch::collector::store
