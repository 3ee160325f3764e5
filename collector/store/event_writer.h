#pragma once
// EventWriter: the SQLite EventSink (event_sink.h), the collector's one writer of the
// events table, of the sources table (who sends live events, for the agent_silent and
// source_silent conditions) and of the summaries (summary_writer.h), all in the batch's
// transaction.
//
// One thread owns it (the commit queue). Opening applies the migrations. The incarnation is
// the agent spool's (agent/spool/spool_state.h); "" is a spool from before them.
//
// WAL mode with synchronous=FULL: a batch is acknowledged only once its commit
// is on disk (the WAL synced), so a power loss cannot lose what an agent has
// already deleted from its spool (NORMAL lost the last commits; an agent had
// no copy left). journal_size_limit bounds the WAL file after a checkpoint, so
// ingest recovers when disk space comes back. The cost is measured by
// bench/ingest_bench (a baseline of each, bench/ingest/bare_insert).
//
// Each committed batch is counted in the process's metrics (store_metrics.h).
//
// On PostgreSQL (the same class over its driver) every statement is a round trip. A batch's
// events go by one COPY in binary (postgres_copy_rows.h); a batch holding a key already stored
// (an agent resending after a failover) fails that COPY whole, and goes again in a new
// transaction by multi-row statements that skip duplicates and return the keys they stored
// (multi_row_statement.h). The summaries go by multi-row upserts. A few round trips per batch
// (measured by bench/ingest_postgres_bench).
//
// Retention of the alerting tables is AlertingRetention's (alerting_retention.h), not this
// class's: it owns only the tables above.
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collector/store/database.h"
#include "collector/store/event_sink.h"
#include "collector/store/multi_row_statement.h"
#include "collector/store/postgres_copy_rows.h"
#include "collector/store/store_metrics.h"
#include "collector/store/store_options.h"
#include "collector/store/summary_writer.h"
#include "common/result.h"

namespace regwatch::collector::store {

class EventWriter final : public EventSink {
 public:
  static Result<std::unique_ptr<EventWriter>> open(const std::string& path,
                                                   const StoreOptions& = {});

  using EventSink::InsertOutcome;
  Result<InsertOutcome> insert_batch(std::span<const regwatch::v1::Event> events,
                                     int64_t store_time_us,
                                     std::string_view spool_incarnation = {}) override;
  Result<InsertOutcome> insert_batch(
      const google::protobuf::RepeatedPtrField<regwatch::v1::Event>& events, int64_t store_time_us,
      std::string_view spool_incarnation = {},
      std::span<const std::string> stored_payloads = {}) override;
  Result<uint64_t> prune_stored_before(int64_t cutoff_store_time_us, uint32_t max_rows) override;
  int schema_version() const override { return schema_version_; }
  // The connection, for tests that inspect or provoke SQLite itself (pragmas, a full disk).
  sqlite3* handle() const { return db_->sqlite_handle(); }
  // The same connection through the store's own interface (tests read tables with it).
  Database* database() const { return db_.get(); }
  // PostgreSQL: the batches whose COPY met a key already stored and were stored again by the
  // statement that skips duplicates (for tests; the duplicates themselves are in the metrics).
  uint64_t copies_redone() const { return copies_redone_; }

 private:
  EventWriter() = default;
  template <typename Range>
  Result<InsertOutcome> insert_range(const Range& events, int64_t store_time_us,
                                     std::string_view spool_incarnation,
                                     std::span<const std::string> stored_payloads);
  // Event `index`'s stored payload: the caller's (given_payloads_) or made now in
  // payload_scratch_ (valid until the next call).
  std::string_view stored_payload(size_t index, const regwatch::v1::Event& event);
  // Stores the batch's rows and sets new_rows_[i] to 1 for each event stored now (0: a
  // duplicate). SQLite: one row per statement (in-process, nothing to gain from more).
  template <typename Range>
  Status insert_one_by_one(const Range& events, int64_t store_time_us,
                           std::string_view spool_incarnation);
  // BEGIN, and on PostgreSQL the lock that orders batches' ids by commit.
  Status begin_batch();
  // PostgreSQL: the batch by COPY; when it holds a key already stored, the batch again (a new
  // transaction: begin_batch) by insert_chunks.
  template <typename Range>
  Status insert_copy_or_chunks(const Range& events, int64_t store_time_us,
                               std::string_view spool_incarnation);
  // PostgreSQL: many rows per statement (one round trip each), the keys stored returned.
  template <typename Range>
  Status insert_chunks(const Range& events, int64_t store_time_us,
                       std::string_view spool_incarnation);

  DatabasePtr db_;
  Statement insert_;
  std::optional<MultiRowStatement> insert_rows_;  // PostgreSQL's; none on SQLite
  Statement prune_;
  Statement note_source_;    // the sources table: who sends live events (schema/006)
  SummaryWriter summaries_;  // the inputs and phones tables (schema/013)
  int schema_version_ = 0;
  StoreMetrics metrics_;                                    // docs/metrics.md
  std::vector<const regwatch::v1::Event*> stored_scratch_;  // reused by each batch
  std::vector<char> new_rows_;                              // the same
  std::string payload_scratch_;                             // the same
  std::span<const std::string> given_payloads_;             // the batch's, set by each insert_range
  PostgresCopyRows copy_rows_;                              // the same (PostgreSQL)
  uint64_t copies_redone_ = 0;
};

}  // namespace regwatch::collector::store
