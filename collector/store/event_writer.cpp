#include <map>
#include <tuple>

#include "collector/store/event_store.h"
#include "collector/store/migrations.h"
#include "common/event_kind.h"

namespace regwatch::collector::store {

namespace {

// Exactly once: the key is (agent, spool incarnation, seq) (schema/007).
constexpr char kInsertSql[] =
    "INSERT INTO events (agent_id, spool_incarnation, seq, event_time_us, receive_time_us,"
    " store_time_us, origin, source, kind, device, reason_code, payload, spoofed)"
    " VALUES (?1, ?12, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13)"
    " ON CONFLICT (agent_id, spool_incarnation, seq) DO NOTHING";

void bind_event(Statement& insert, const regwatch::v1::Event& event, int64_t store_time_us,
                std::string_view spool_incarnation, std::string& scratch);

// The writer's connection settings (see event_store.h): WAL, commits synced (or not, for the
// benchmark's comparison), the WAL file bounded after checkpoints, 64 MiB of cache (index
// pages hot).
Status set_writer_pragmas(sqlite3* db, Durability durability) {
  for (const char* pragma :
       {"PRAGMA journal_mode = WAL",
        durability == Durability::kDurable ? "PRAGMA synchronous = FULL"
                                           : "PRAGMA synchronous = NORMAL",
        "PRAGMA journal_size_limit = 67108864", "PRAGMA cache_size = -65536"}) {
    if (auto ok = exec(db, pragma); !ok.ok()) return ok.error();
  }
  return Ok{};
}

constexpr char kNoteSourceSql[] =
    "INSERT INTO sources (agent_id, origin, source, first_us, last_us, events) VALUES (?1, ?2, ?3, "
    "?4, ?4, ?5) ON CONFLICT (agent_id, origin, source) DO UPDATE SET last_us = max(last_us, "
    "excluded.last_us), events = events + excluded.events";
// An event is live when the source said it happened within this long of its receipt; older
// ones are a replay or a spool draining after an outage.
constexpr int64_t kLiveWithinUs = 10 * 60'000'000LL;

}  // namespace

EventColumns columns_of(const regwatch::v1::Event& event) {
  EventColumns columns;
  if (event.has_phone()) {
    columns.device = event.phone().device_name();
    if (event.phone().has_reason_code()) {
      columns.has_reason = true;
      columns.reason_code = event.phone().reason_code();
    }
  } else if (event.has_topology()) {
    columns.device = event.topology().device();
  }
  return columns;
}

namespace {

// Binds one event to the insert statement (kInsertSql's parameters).
void bind_event(Statement& insert, const regwatch::v1::Event& event, int64_t store_time_us,
                std::string_view spool_incarnation, std::string& scratch) {
  const EventColumns columns = columns_of(event);
  insert.bind(12, spool_incarnation);
  insert.bind(13, int64_t{event.provenance().spoofed() ? 1 : 0});
  insert.bind(1, event.agent_id());
  insert.bind(2, static_cast<int64_t>(event.seq()));
  insert.bind(3, event.event_time_us());
  insert.bind(4, event.receive_time_us());
  insert.bind(5, store_time_us);
  insert.bind(6, event.origin());
  insert.bind(7, source_name(event.source()));
  insert.bind(8, kind_name(event.kind()));
  if (columns.device.empty()) {
    insert.bind_null(9);
  } else {
    insert.bind(9, columns.device);
  }
  if (columns.has_reason) {
    insert.bind(10, int64_t{columns.reason_code});
  } else {
    insert.bind_null(10);
  }
  scratch.clear();
  event.SerializeToString(&scratch);
  insert.bind_blob(11, scratch);
}

}  // namespace

Result<std::unique_ptr<EventWriter>> EventWriter::open(const std::string& path,
                                                       const StoreOptions& options) {
  auto db = open_database(path, false, options.busy_timeout_ms);
  if (!db.ok()) return db.error();
  std::unique_ptr<EventWriter> writer(new EventWriter());
  writer->db_ = std::move(db).value();
  sqlite3* handle = writer->db_.get();
  // Migrations first: they refuse a newer or foreign database before we change its journal mode.
  auto version = apply_migrations(handle, path);
  if (!version.ok()) return version.error();
  writer->schema_version_ = *version;
  if (auto set = set_writer_pragmas(handle, Durability::kDurable); !set.ok()) return set.error();
  auto insert = Statement::prepare(handle, kInsertSql);
  if (!insert.ok()) return insert.error();
  writer->insert_ = std::move(insert).value();
  auto prune = Statement::prepare(
      handle,
      // The oldest ids are the oldest stored (one writer assigns them in order), so
      // looking at the first max_rows ids finds what expired without an index.
      "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?2) AND "
      "store_time_us < ?1");
  if (!prune.ok()) return prune.error();
  writer->prune_ = std::move(prune).value();
  auto note_source = Statement::prepare(handle, kNoteSourceSql);
  if (!note_source.ok()) return note_source.error();
  writer->note_source_ = std::move(note_source).value();
  return writer;
}

Result<EventWriter::InsertOutcome> EventWriter::insert_batch(
    std::span<const regwatch::v1::Event> events, int64_t store_time_us,
    std::string_view spool_incarnation) {
  return insert_range(events, store_time_us, spool_incarnation);
}

Result<EventWriter::InsertOutcome> EventWriter::insert_batch(
    const google::protobuf::RepeatedPtrField<regwatch::v1::Event>& events, int64_t store_time_us,
    std::string_view spool_incarnation) {
  return insert_range(events, store_time_us, spool_incarnation);
}

template <typename Range>
Result<EventWriter::InsertOutcome> EventWriter::insert_range(const Range& events,
                                                             int64_t store_time_us,
                                                             std::string_view spool_incarnation) {
  sqlite3* db = db_.get();
  if (auto begin = exec(db, "BEGIN IMMEDIATE"); !begin.ok()) return begin.error();
  InsertOutcome outcome;
  std::string scratch;
  // Views into `events`, which outlives the loop below.
  std::map<std::tuple<std::string_view, std::string_view, regwatch::v1::Source>, int64_t> live;
  for (const auto& event : events) {
    bind_event(insert_, event, store_time_us, spool_incarnation, scratch);
    const int rc = insert_.step();
    insert_.reset();
    if (rc != SQLITE_DONE) {
      Error error = sqlite_error(db, rc, "storing an event");
      rollback(db);
      return error;
    }
    if (sqlite3_changes(db) == 1) {
      ++outcome.stored;
      const int64_t lag = event.receive_time_us() - event.event_time_us();
      if (lag <= kLiveWithinUs && lag >= -kLiveWithinUs)
        ++live[{event.agent_id(), event.origin(), event.source()}];
    } else {
      ++outcome.duplicates;
    }
  }
  for (const auto& [who, count] : live) {
    note_source_.bind(1, std::get<0>(who));
    note_source_.bind(2, std::get<1>(who));
    note_source_.bind(3, source_name(std::get<2>(who)));
    note_source_.bind(4, store_time_us);
    note_source_.bind(5, count);
    const int rc = note_source_.step();
    note_source_.reset();
    if (rc != SQLITE_DONE) {
      Error error = sqlite_error(db, rc, "noting who sent events");
      rollback(db);
      return error;
    }
  }
  if (auto commit = exec(db, "COMMIT"); !commit.ok()) {
    rollback(db);
    return commit.error();
  }
  return outcome;
}

Result<uint64_t> EventWriter::prune_stored_before(int64_t cutoff_store_time_us, uint32_t max_rows) {
  prune_.bind(1, cutoff_store_time_us);
  prune_.bind(2, int64_t{max_rows});
  const int rc = prune_.step();
  prune_.reset();
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "pruning old events");
  return static_cast<uint64_t>(sqlite3_changes(db_.get()));
}

Result<uint64_t> EventWriter::prune_alerting_before(int64_t cutoff_us) {
  uint64_t pruned = 0;
  for (const char* sql : {"DELETE FROM condition_alerts WHERE state = 'resolved' AND ends_us < ?1",
                          "DELETE FROM silences WHERE ends_us < ?1"}) {
    auto statement = Statement::prepare(db_.get(), sql);
    if (!statement.ok()) return statement.error();
    statement->bind(1, cutoff_us);
    if (const int rc = statement->step(); rc != SQLITE_DONE)
      return sqlite_error(db_.get(), rc, "pruning old alerting state");
    pruned += static_cast<uint64_t>(sqlite3_changes(db_.get()));
  }
  return pruned;
}

Result<uint64_t> bare_batched_insert(const std::string& path,
                                     std::span<const regwatch::v1::Event> events, size_t batch,
                                     std::string_view spool_incarnation, Durability durability) {
  auto db = open_database(path, false, 5000);
  if (!db.ok()) return db.error();
  if (auto version = apply_migrations(db->get(), path); !version.ok()) return version.error();
  if (auto set = set_writer_pragmas(db->get(), durability); !set.ok()) return set.error();
  auto insert = Statement::prepare(db->get(), kInsertSql);
  if (!insert.ok()) return insert.error();
  std::string scratch;
  uint64_t rows = 0;
  for (size_t start = 0; start < events.size(); start += batch) {
    if (auto begin = exec(db->get(), "BEGIN"); !begin.ok()) return begin.error();
    for (size_t i = start; i < std::min(events.size(), start + batch); ++i) {
      bind_event(*insert, events[i], 0, spool_incarnation, scratch);
      if (insert->step() != SQLITE_DONE)
        return sqlite_error(db->get(), SQLITE_ERROR, "bare insert");
      insert->reset();
      ++rows;
    }
    if (auto commit = exec(db->get(), "COMMIT"); !commit.ok()) return commit.error();
  }
  return rows;
}

}  // namespace regwatch::collector::store
