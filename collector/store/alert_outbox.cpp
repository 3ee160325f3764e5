#include "collector/store/alert_outbox.h"

#include <algorithm>
#include <chrono>

#include "collector/store/postgres_database.h"
#include "common/alert_status.h"
#include "common/record_bytes.h"

namespace regwatch::collector::store {

namespace {

// How long an outbox command waits for PostgreSQL's reply (postgres_database.h): its reads
// and writes are small; a reply this late means the server is gone or cut off.
constexpr std::chrono::milliseconds kReplyTimeout{15'000};

constexpr const char* kRowColumns =
    "id, receiver, alert_key, seq, status, reason, change, told, flapping, created_us, due_us, "
    "attempts, delivered_us, given_up";

OutboxRow read_row(const Statement& select) {
  OutboxRow row;
  row.id = select.column_int(0);
  row.receiver = std::string(select.column_text(1));
  row.alert_key = std::string(select.column_text(2));
  row.seq = select.column_int(3);
  // Words no regwatch wrote read as no status (never "firing"), and as a first page.
  row.notice.status =
      parse_alert_status(select.column_text(4)).value_or(v1::ALERT_STATUS_UNSPECIFIED);
  row.notice.reason = parse_notice_reason(select.column_text(5)).value_or(NoticeReason::kFirst);
  row.notice.change = std::string(select.column_text(6));
  row.notice.told = std::string(select.column_text(7));
  row.notice.flapping = std::string(select.column_text(8));
  row.created_us = select.column_int(9);
  row.due_us = select.column_int(10);
  row.attempts = static_cast<uint32_t>(select.column_int(11));
  if (!select.column_is_null(12)) row.delivered_us = select.column_int(12);
  row.given_up = select.column_int(13) != 0;
  return row;
}

}  // namespace

Result<std::unique_ptr<AlertOutbox>> AlertOutbox::open(const std::string& path, int busy_timeout_ms,
                                                       LeaseFence fence) {
  auto db = open_database(path, false, busy_timeout_ms);
  if (!db.ok()) return db.error();
  std::unique_ptr<AlertOutbox> outbox(new AlertOutbox());
  outbox->db_ = std::move(db).value();
  outbox->fence_ = std::move(fence);
  // Collectors in pairs: a dispatcher cut off from PostgreSQL fails its call and moves on
  // (its claims keep a second send away) rather than hanging its thread, and with it the
  // leadership's step-down, which waits for the dispatcher to stop.
  set_postgres_reply_timeout(*outbox->db_,
                             std::max(kReplyTimeout, std::chrono::milliseconds(busy_timeout_ms)));
  return outbox;
}

Result<std::optional<OutboxRow>> AlertOutbox::one_row(const char* where,
                                                      const std::string& receiver,
                                                      const std::string& alert_key) {
  auto select = Statement::prepare(db_.get(), std::string("SELECT ") + kRowColumns +
                                                  " FROM alert_outbox WHERE receiver = ?1 AND "
                                                  "alert_key = ?2" +
                                                  where + " ORDER BY seq DESC LIMIT 1");
  if (!select.ok()) return select.error();
  select->bind(1, receiver);
  select->bind(2, alert_key);
  const int rc = select->step();
  if (rc == kStepDone) return std::optional<OutboxRow>();
  if (rc != kStepRow) return database_error(db_.get(), rc, "reading the notification queue");
  return std::optional<OutboxRow>(read_row(*select));
}

Result<std::optional<OutboxRow>> AlertOutbox::last(const std::string& receiver,
                                                   const std::string& alert_key) {
  return one_row("", receiver, alert_key);
}

Result<std::optional<OutboxRow>> AlertOutbox::last_delivered(const std::string& receiver,
                                                             const std::string& alert_key) {
  return one_row(" AND delivered_us IS NOT NULL", receiver, alert_key);
}

Result<bool> AlertOutbox::owe(const std::string& receiver, const std::string& alert_key,
                              int64_t after_seq, const Notice& notice, int64_t now_us,
                              int64_t due_us) {
  auto insert = Statement::prepare(
      db_.get(),
      "INSERT INTO alert_outbox (receiver, alert_key, seq, status, reason, change, told, flapping, "
      "created_us, due_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO "
      "NOTHING");
  if (!insert.ok()) return insert.error();
  insert->bind(1, receiver);
  insert->bind(2, alert_key);
  insert->bind(3, after_seq + 1);
  insert->bind(4, alert_status_name(notice.status));
  insert->bind(5, notice_reason_name(notice.reason));
  insert->bind(6, notice.change);
  insert->bind(7, notice.told);
  insert->bind(8, notice.flapping);
  insert->bind(9, now_us);
  insert->bind(10, due_us);
  if (int rc = insert->step(); rc != kStepDone)
    return database_error(db_.get(), rc, "queueing a notification");
  return changes(db_.get()) > 0;
}

Status AlertOutbox::retell(int64_t id, const std::string& told) {
  auto update = Statement::prepare(db_.get(), "UPDATE alert_outbox SET told = ?2 WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->bind(1, id);
  update->bind(2, told);
  if (int rc = update->step(); rc != kStepDone)
    return database_error(db_.get(), rc, "updating a queued notification");
  return Ok{};
}

Result<bool> AlertOutbox::earlier_pending(const std::string& receiver, const std::string& alert_key,
                                          int64_t seq) {
  auto select = Statement::prepare(db_.get(),
                                   "SELECT 1 FROM alert_outbox WHERE receiver = ?1 AND alert_key = "
                                   "?2 AND seq < ?3 AND delivered_us IS NULL AND given_up = 0 "
                                   "LIMIT 1");
  if (!select.ok()) return select.error();
  select->bind(1, receiver);
  select->bind(2, alert_key);
  select->bind(3, seq);
  const int rc = select->step();
  if (rc != kStepRow && rc != kStepDone)
    return database_error(db_.get(), rc, "reading the notification queue");
  return rc == kStepRow;
}

Result<bool> AlertOutbox::firing_told_before(const std::string& receiver,
                                             const std::string& alert_key, int64_t seq) {
  auto select = Statement::prepare(
      db_.get(),
      "SELECT 1 FROM alert_outbox WHERE receiver = ?1 AND alert_key = ?2 AND seq < ?3 AND "
      "status = 'firing' AND delivered_us IS NOT NULL AND seq > coalesce((SELECT max(seq) FROM "
      "alert_outbox WHERE receiver = ?1 AND alert_key = ?2 AND seq < ?3 AND status = "
      "'resolved'), 0) LIMIT 1");
  if (!select.ok()) return select.error();
  select->bind(1, receiver);
  select->bind(2, alert_key);
  select->bind(3, seq);
  const int rc = select->step();
  if (rc != kStepRow && rc != kStepDone)
    return database_error(db_.get(), rc, "reading the notification queue");
  return rc == kStepRow;
}

Result<std::vector<OutboxRow>> AlertOutbox::due(const std::string& receiver, int64_t now_us,
                                                uint32_t limit) {
  auto select = Statement::prepare(
      db_.get(), std::string("SELECT ") + kRowColumns +
                     " FROM alert_outbox WHERE delivered_us IS NULL AND given_up = 0 AND "
                     "due_us <= ?1 AND receiver = ?3 AND (claim_until_us IS NULL OR "
                     "claim_until_us <= " +
                     database_now_us_sql(db_->dialect()) + ") ORDER BY due_us, seq, id LIMIT ?2");
  if (!select.ok()) return select.error();
  select->bind(1, now_us);
  select->bind(2, int64_t{limit});
  select->bind(3, receiver);
  std::vector<OutboxRow> rows;
  int rc = 0;
  while ((rc = select->step()) == kStepRow) rows.push_back(read_row(*select));
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading the notification queue");
  return rows;
}

Result<std::optional<int64_t>> AlertOutbox::next_due(const std::string& receiver) {
  // As due(): a row another send claimed is not due until its claim ends (the delivery pass
  // looks again within a second), or a pass would spin on it for the whole claim.
  auto select = Statement::prepare(
      db_.get(), std::string("SELECT min(due_us) FROM alert_outbox WHERE delivered_us IS NULL AND "
                             "given_up = 0 AND receiver = ?1 AND (claim_until_us IS NULL OR "
                             "claim_until_us <= ") +
                     database_now_us_sql(db_->dialect()) + ")");
  if (!select.ok()) return select.error();
  select->bind(1, receiver);
  if (int rc = select->step(); rc != kStepRow)
    return database_error(db_.get(), rc, "reading the notification queue");
  if (select->column_is_null(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(select->column_int(0));
}

Result<bool> AlertOutbox::fence_holds() {
  // FOR SHARE: a takeover updates this row, so it waits until the claim has committed; then
  // the new leader's due() no longer returns what was claimed here.
  auto select = Statement::prepare(
      db_.get(), std::string("SELECT term FROM collector_lease WHERE name = 'leader' AND holder "
                             "= ?1 AND term = ?2 AND expires_us > ") +
                     database_now_us_sql(db_->dialect()) +
                     (db_->dialect() == Dialect::kPostgresql ? " FOR SHARE" : ""));
  if (!select.ok()) return select.error();
  select->bind(1, fence_.holder);
  select->bind(2, fence_.term);
  const int rc = select->step();
  if (rc == kStepRow) return true;
  if (rc == kStepDone) return false;
  return database_error(db_.get(), rc, "checking the leader lease");
}

Result<bool> AlertOutbox::claim(const std::vector<int64_t>& ids, int64_t window_us) {
  if (ids.empty()) return true;
  if (auto begun = begin_write(db_.get()); !begun.ok()) return begun.error();
  const auto abandon = [this](auto result) {
    rollback(db_.get());
    return result;
  };
  if (!fence_.holder.empty()) {
    auto holds = fence_holds();
    if (!holds.ok() || !*holds) return abandon(holds);
  }
  const std::string now = database_now_us_sql(db_->dialect());
  auto update = Statement::prepare(
      db_.get(), "UPDATE alert_outbox SET claimed_by = ?2, claim_term = ?3, claim_until_us = " +
                     now + " + ?4 WHERE id = ?1 AND delivered_us IS NULL AND given_up = 0 AND " +
                     "(claim_until_us IS NULL OR claim_until_us <= " + now + ")");
  if (!update.ok()) return abandon(Result<bool>(update.error()));
  for (const int64_t id : ids) {
    update->reset();
    update->bind(1, id);
    update->bind(2, fence_.holder);
    update->bind(3, fence_.term);
    update->bind(4, window_us);
    if (int rc = update->step(); rc != kStepDone)
      return abandon(Result<bool>(database_error(db_.get(), rc, "claiming a notification")));
    if (changes(db_.get()) != 1) return abandon(Result<bool>(false));
  }
  if (auto committed = commit(db_.get()); !committed.ok()) return committed.error();
  return true;
}

Status AlertOutbox::delivered(int64_t id, int64_t now_us) {
  auto update = Statement::prepare(
      db_.get(),
      "UPDATE alert_outbox SET delivered_us = ?2, attempts = attempts + 1, last_error = NULL, "
      "claim_until_us = NULL WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->bind(1, id);
  update->bind(2, now_us);
  if (int rc = update->step(); rc != kStepDone)
    return database_error(db_.get(), rc, "marking a notification delivered");
  return Ok{};
}

Status AlertOutbox::failed(int64_t id, const std::string& error, int64_t retry_at_us,
                           bool give_up) {
  auto update = Statement::prepare(db_.get(),
                                   "UPDATE alert_outbox SET attempts = attempts + 1, last_error "
                                   "= ?2, due_us = ?3, given_up = ?4, claim_until_us = NULL WHERE "
                                   "id = ?1");
  if (!update.ok()) return update.error();
  update->bind(1, id);
  update->bind(2, error);
  update->bind(3, retry_at_us);
  update->bind(4, int64_t{give_up ? 1 : 0});
  if (int rc = update->step(); rc != kStepDone)
    return database_error(db_.get(), rc, "recording a failed notification");
  return Ok{};
}

Status AlertOutbox::postpone(int64_t id, int64_t due_us) {
  auto update = Statement::prepare(
      db_.get(), "UPDATE alert_outbox SET due_us = ?2, claim_until_us = NULL WHERE id = ?1");
  if (!update.ok()) return update.error();
  update->bind(1, id);
  update->bind(2, due_us);
  if (int rc = update->step(); rc != kStepDone)
    return database_error(db_.get(), rc, "postponing a notification");
  return Ok{};
}

Result<std::vector<std::string>> AlertOutbox::told_firing(const std::string& receiver) {
  auto select = Statement::prepare(
      db_.get(),
      "SELECT o.alert_key FROM alert_outbox AS o WHERE o.receiver = ?1 AND o.status = 'firing' "
      "AND o.delivered_us IS NOT NULL AND o.seq = (SELECT max(seq) FROM alert_outbox AS l WHERE "
      "l.receiver = o.receiver AND l.alert_key = o.alert_key AND (l.delivered_us IS NOT NULL OR "
      "l.given_up = 0)) ORDER BY o.alert_key");
  if (!select.ok()) return select.error();
  select->bind(1, receiver);
  std::vector<std::string> keys;
  int rc = 0;
  while ((rc = select->step()) == kStepRow) keys.emplace_back(select->column_text(0));
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading the notification queue");
  return keys;
}

Result<std::vector<KeyedIncident>> AlertOutbox::incident_records(const char* where,
                                                                 std::optional<int64_t> bound) {
  auto select = Statement::prepare(
      db_.get(), std::string("SELECT first_id, id, record FROM incidents WHERE ") + where +
                     " ORDER BY start_time_us, id");
  if (!select.ok()) return select.error();
  if (bound) select->bind(1, *bound);
  std::vector<KeyedIncident> incidents;
  int rc = 0;
  while ((rc = select->step()) == kStepRow) {
    KeyedIncident incident;
    incident.id = select->column_text(1);
    incident.key = select->column_text(0);
    if (incident.key.empty()) incident.key = incident.id;
    v1::Incident record;
    if (!parse_record(select->column_blob(2), record)) continue;  // not one we wrote
    incident.record = std::move(record);
    incidents.push_back(std::move(incident));
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading incidents");
  return incidents;
}

Result<uint32_t> AlertOutbox::pages_like(const std::string& receiver, const std::string& prefix,
                                         int64_t since_us) {
  auto select = Statement::prepare(
      db_.get(),
      "SELECT count(*) FROM alert_outbox WHERE receiver = ?1 AND reason IN ('first', "
      "'reopened') AND created_us >= ?3 AND substr(alert_key, 1, length(?2)) = ?2 AND given_up "
      "= 0");
  if (!select.ok()) return select.error();
  select->bind(1, receiver);
  select->bind(2, prefix);
  select->bind(3, since_us);
  if (int rc = select->step(); rc != kStepRow)
    return database_error(db_.get(), rc, "reading the notification queue");
  return static_cast<uint32_t>(select->column_int(0));
}

Result<std::vector<KeyedIncident>> AlertOutbox::condition_records(const char* where,
                                                                  std::optional<int64_t> bound) {
  auto select =
      Statement::prepare(db_.get(), std::string("SELECT key, record FROM condition_alerts WHERE ") +
                                        where + " ORDER BY key");
  if (!select.ok()) return select.error();
  if (bound) select->bind(1, *bound);
  std::vector<KeyedIncident> conditions;
  int rc = 0;
  while ((rc = select->step()) == kStepRow) {
    KeyedIncident condition;
    condition.key = condition.id = select->column_text(0);
    v1::Alert record;
    if (!parse_record(select->column_blob(1), record)) continue;  // not one we wrote
    condition.record = std::move(record);
    conditions.push_back(std::move(condition));
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading condition alerts");
  return conditions;
}

Result<std::vector<KeyedIncident>> AlertOutbox::open_incidents() {
  auto incidents = incident_records("state = 'open'", std::nullopt);
  if (!incidents.ok()) return incidents;
  auto conditions = condition_records("state = 'firing'", std::nullopt);
  if (!conditions.ok()) return conditions.error();
  for (auto& c : *conditions) incidents->push_back(std::move(c));
  return incidents;
}

Result<std::vector<KeyedIncident>> AlertOutbox::incidents_ending_since(int64_t since_us) {
  auto incidents = incident_records("end_time_us >= ?1", since_us);
  if (!incidents.ok()) return incidents;
  auto conditions = condition_records("state = 'firing' OR ends_us >= ?1", since_us);
  if (!conditions.ok()) return conditions.error();
  for (auto& c : *conditions) incidents->push_back(std::move(c));
  return incidents;
}

Result<std::optional<AlertSource>> AlertOutbox::alert_source(const std::string& key) {
  // The live incident of this lineage before a withdrawn one; the newest if several.
  auto select = Statement::prepare(db_.get(),
                                   "SELECT record FROM incidents WHERE first_id = ?1 ORDER BY "
                                   "state = 'withdrawn', updated_us DESC LIMIT 1");
  if (!select.ok()) return select.error();
  select->bind(1, key);
  int rc = select->step();
  if (rc == kStepRow) {
    v1::Incident record;
    if (!parse_record(select->column_blob(0), record))
      return make_error("store", "the record of incident " + key + " does not parse");
    return std::optional<AlertSource>(std::move(record));
  }
  if (rc != kStepDone) return database_error(db_.get(), rc, "reading an incident");
  auto condition =
      Statement::prepare(db_.get(), "SELECT record FROM condition_alerts WHERE key = ?1");
  if (!condition.ok()) return condition.error();
  condition->bind(1, key);
  rc = condition->step();
  if (rc == kStepDone) return std::optional<AlertSource>();
  if (rc != kStepRow) return database_error(db_.get(), rc, "reading a condition alert");
  v1::Alert record;
  if (!parse_record(condition->column_blob(0), record))
    return make_error("store", "the record of condition alert " + key + " does not parse");
  return std::optional<AlertSource>(std::move(record));
}

}  // namespace regwatch::collector::store
