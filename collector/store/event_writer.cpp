#include "collector/store/event_writer.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "collector/store/event_rows.h"
#include "collector/store/migrations.h"
#include "collector/store/postgres_database.h"
#include "collector/store/stored_payload.h"
#include "common/event_kind.h"

namespace regwatch::collector::store {

namespace {

constexpr char kNoteSourceSql[] =
    "INSERT INTO sources (agent_id, origin, source, first_us, last_us, events) VALUES (?1, ?2, ?3, "
    "?4, ?4, ?5) ON CONFLICT (agent_id, origin, source) DO UPDATE SET last_us = "
    "greatest(sources.last_us, excluded.last_us), events = sources.events + excluded.events";
// The advisory lock that orders event batches across collectors on PostgreSQL (the key spells
// "rw-event" in ASCII); held until the batch's commit or rollback.
constexpr char kWriteOrderLockSql[] = "SELECT pg_advisory_xact_lock(8248111156353658484)";
// An event is live when the source said it happened within this long of its receipt; older
// ones are a replay or a spool draining after an outage.
constexpr int64_t kLiveWithinUs = 10 * 60'000'000LL;
// How long a statement of a batch may wait for PostgreSQL's reply once the migrations ran (they
// may take long): past it the server is taken for gone, the batch fails "unavailable", and a
// collector cut off from its store does not hold its agents' batches unacknowledged for as
// long as TCP may wait (a silent network behind a proxy: for ever). A statement of a batch
// answers within a lock wait (lock_timeout is the busy timeout: the write-order lock held by
// another collector's batch) plus its own work, milliseconds; hence the busy timeout and this
// margin (7 s by default). No more: the commit queue fails every batch queued behind one that
// failed so at once (commit_queue.h), so this deadline is what agents wait, once per outage,
// before they fail over (it was a flat 15 s, and was paid batch after batch). A false alarm
// (a server slower than this and alive) costs little: the batches go again, and are stored once.
constexpr std::chrono::milliseconds kReplyMargin{2000};

}  // namespace

Result<std::unique_ptr<EventWriter>> EventWriter::open(const std::string& path,
                                                       const StoreOptions& options) {
  auto db = open_database(path, false, options.busy_timeout_ms);
  if (!db.ok()) return db.error();
  std::unique_ptr<EventWriter> writer(new EventWriter());
  writer->db_ = std::move(db).value();
  Database* handle = writer->db_.get();
  // Migrations first: they refuse a newer or foreign database before we change its journal mode.
  auto version = apply_migrations(handle, path);
  if (!version.ok()) return version.error();
  writer->schema_version_ = *version;
  set_postgres_reply_timeout(*handle,
                             std::chrono::milliseconds(options.busy_timeout_ms) + kReplyMargin);
  if (auto set = set_writer_pragmas(handle, Durability::kDurable); !set.ok()) return set.error();
  auto insert = Statement::prepare(handle, kInsertEventSql);
  if (!insert.ok()) return insert.error();
  writer->insert_ = std::move(insert).value();
  if (handle->dialect() == Dialect::kPostgresql) {
    // Each statement is a round trip to the server: a batch goes in chunks of many rows, each
    // returning the keys it stored.
    writer->insert_rows_.emplace(
        Dialect::kPostgresql, kInsertEventsHead, kEventParameters, kInsertEventsTail,
        std::vector<int>(kEventParameterOrder.begin(), kEventParameterOrder.end()));
    if (auto chunk = writer->insert_rows_->for_rows(handle, MultiRowStatement::kChunkSizes[0]);
        !chunk.ok())
      return chunk.error();
  }
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
  auto summaries = SummaryWriter::prepare(handle);
  if (!summaries.ok()) return summaries.error();
  writer->summaries_ = std::move(summaries).value();
  return writer;
}

Result<EventWriter::InsertOutcome> EventWriter::insert_batch(
    std::span<const regwatch::v1::Event> events, int64_t store_time_us,
    std::string_view spool_incarnation) {
  return insert_range(events, store_time_us, spool_incarnation, {});
}

Result<EventWriter::InsertOutcome> EventWriter::insert_batch(
    const google::protobuf::RepeatedPtrField<regwatch::v1::Event>& events, int64_t store_time_us,
    std::string_view spool_incarnation, std::span<const std::string> stored_payloads) {
  if (!stored_payloads.empty() && stored_payloads.size() != static_cast<size_t>(events.size())) {
    return make_error("internal", "a batch of " + std::to_string(events.size()) +
                                      " events came with " +
                                      std::to_string(stored_payloads.size()) + " payloads");
  }
  return insert_range(events, store_time_us, spool_incarnation, stored_payloads);
}

std::string_view EventWriter::stored_payload(size_t index, const regwatch::v1::Event& event) {
  if (index < given_payloads_.size()) return given_payloads_[index];
  encode_stored_payload(event, payload_scratch_);
  return payload_scratch_;
}

template <typename Range>
Result<EventWriter::InsertOutcome> EventWriter::insert_range(
    const Range& events, int64_t store_time_us, std::string_view spool_incarnation,
    std::span<const std::string> stored_payloads) {
  Database* db = db_.get();
  given_payloads_ = stored_payloads;  // each batch sets its own: never read past its call
  const auto started = std::chrono::steady_clock::now();
  if (auto begun = begin_batch(); !begun.ok()) return begun.error();
  InsertOutcome outcome;
  summaries_.begin_batch();
  stored_scratch_.clear();  // the new events, counted in the metrics once committed
  // Views into `events`, which outlives the loop below.
  std::map<std::tuple<std::string_view, std::string_view, regwatch::v1::Source>, int64_t> live;
  auto inserted = insert_rows_ ? insert_copy_or_chunks(events, store_time_us, spool_incarnation)
                               : insert_one_by_one(events, store_time_us, spool_incarnation);
  if (!inserted.ok()) {
    rollback(db);
    return inserted.error();
  }
  size_t at = 0;
  for (const auto& event : events) {
    if (new_rows_[at++] == 0) {
      ++outcome.duplicates;
      continue;
    }
    ++outcome.stored;
    summaries_.add(event, store_time_us);
    stored_scratch_.push_back(&event);
    const int64_t lag = event.receive_time_us() - event.event_time_us();
    if (lag <= kLiveWithinUs && lag >= -kLiveWithinUs)
      ++live[{event.agent_id(), event.origin(), event.source()}];
  }
  for (const auto& [who, count] : live) {
    note_source_.bind(1, std::get<0>(who));
    note_source_.bind(2, std::get<1>(who));
    note_source_.bind(3, source_name(std::get<2>(who)));
    note_source_.bind(4, store_time_us);
    note_source_.bind(5, count);
    const int rc = note_source_.step();
    note_source_.reset();
    if (rc != kStepDone) {
      Error error = database_error(db, rc, "noting who sent events");
      rollback(db);
      return error;
    }
  }
  if (auto summarised = summaries_.write(db); !summarised.ok()) {
    rollback(db);
    return summarised.error();
  }
  if (auto committed = commit(db); !committed.ok()) {
    rollback(db);
    return committed.error();
  }
  metrics_.committed(
      stored_scratch_, outcome.duplicates, store_time_us,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return outcome;
}

Status EventWriter::begin_batch() {
  Database* db = db_.get();
  if (auto begin = begin_write(db); !begin.ok()) return begin.error();
  if (db->dialect() == Dialect::kPostgresql) {
    // Several collectors may write at once. Readers follow new rows by id (scan_after), which
    // is only safe when ids are handed out in commit order: one batch at a time takes them,
    // holding this lock until its commit.
    if (auto ordered = exec(db, kWriteOrderLockSql); !ordered.ok()) {
      rollback(db);
      return ordered.error();
    }
  }
  return Ok{};
}

template <typename Range>
Status EventWriter::insert_copy_or_chunks(const Range& events, int64_t store_time_us,
                                          std::string_view spool_incarnation) {
  Database* db = db_.get();
  // Nearly every batch is new: COPY stores it in one command, with nothing for the server to
  // parse and no duplicate check before each row (ON CONFLICT's).
  copy_rows_.clear();
  size_t index = 0;
  for (const auto& event : events) {
    append_event_copy_row(copy_rows_, event, store_time_us, spool_incarnation,
                          stored_payload(index++, event));
  }
  const int rc = postgres_copy_in(*db, kCopyEventsSql, copy_rows_.finish());
  if (rc == kStepDone) {
    new_rows_.assign(static_cast<size_t>(events.size()), 1);
    return Ok{};
  }
  if (rc != SQLITE_CONSTRAINT) return database_error(db, rc, "storing events");
  // A key already stored (an agent sending again what a collector stored before a failover or
  // a lost ack) or twice in the batch: the COPY stored nothing and ended the transaction. The
  // batch again, in a new one, by the statement that skips what is stored.
  rollback(db);
  if (auto begun = begin_batch(); !begun.ok()) return begun.error();
  ++copies_redone_;
  return insert_chunks(events, store_time_us, spool_incarnation);
}

template <typename Range>
Status EventWriter::insert_one_by_one(const Range& events, int64_t store_time_us,
                                      std::string_view spool_incarnation) {
  Database* db = db_.get();
  new_rows_.clear();
  size_t index = 0;
  for (const auto& event : events) {
    bind_event(insert_, event, store_time_us, spool_incarnation, stored_payload(index++, event));
    const int rc = insert_.step();
    insert_.reset();
    if (rc != kStepDone) return database_error(db, rc, "storing an event");
    new_rows_.push_back(changes(db) == 1 ? 1 : 0);
  }
  return Ok{};
}

template <typename Range>
Status EventWriter::insert_chunks(const Range& events, int64_t store_time_us,
                                  std::string_view spool_incarnation) {
  Database* db = db_.get();
  new_rows_.clear();
  auto event = events.begin();
  std::vector<std::pair<std::string, int64_t>> returned;  // the keys a chunk stored
  std::vector<char> claimed;
  size_t index = 0;
  for (const size_t chunk : insert_rows_->chunks(static_cast<size_t>(events.size()))) {
    auto insert = insert_rows_->for_rows(db, chunk);
    if (!insert.ok()) return insert.error();
    Statement& statement = **insert;
    const auto first = event;
    for (size_t row = 0; row < chunk; ++row, ++event) {
      bind_event(statement, *event, store_time_us, spool_incarnation,
                 stored_payload(index++, *event),
                 MultiRowStatement::parameter(row, 0, kEventParameters));
    }
    returned.clear();
    int rc = kStepRow;
    while ((rc = statement.step()) == kStepRow) {
      returned.emplace_back(std::string(statement.column_text(0)), statement.column_int(1));
    }
    statement.reset();
    if (rc != kStepDone) return database_error(db, rc, "storing events");
    // Which rows were new: the server returns each stored key once, in no promised order. A
    // key twice in the batch was stored from its first row (DO NOTHING skips the later ones),
    // so the first row to claim a returned key is the new one.
    std::sort(returned.begin(), returned.end());
    claimed.assign(returned.size(), 0);
    for (auto row = first; row != event; ++row) {
      const std::pair<std::string_view, int64_t> key{row->agent_id(),
                                                     static_cast<int64_t>(row->seq())};
      const auto found = std::lower_bound(
          returned.begin(), returned.end(), key, [](const auto& stored, const auto& wanted) {
            return std::pair<std::string_view, int64_t>(stored.first, stored.second) < wanted;
          });
      const bool fresh = found != returned.end() && found->first == key.first &&
                         found->second == key.second &&
                         claimed[static_cast<size_t>(found - returned.begin())] == 0;
      if (fresh) claimed[static_cast<size_t>(found - returned.begin())] = 1;
      new_rows_.push_back(fresh ? 1 : 0);
    }
  }
  return Ok{};
}

Result<uint64_t> EventWriter::prune_stored_before(int64_t cutoff_store_time_us, uint32_t max_rows) {
  prune_.bind(1, cutoff_store_time_us);
  prune_.bind(2, int64_t{max_rows});
  const int rc = prune_.step();
  prune_.reset();
  if (rc != kStepDone) return database_error(db_.get(), rc, "pruning old events");
  return static_cast<uint64_t>(changes(db_.get()));
}

}  // namespace regwatch::collector::store
