#pragma once
// The collector's event history in SQLite.
//
// EventWriter: one thread owns it (the commit queue). Opening applies the
// migrations. insert_batch stores a batch in one transaction; an event whose
// (agent_id, spool incarnation, seq) is stored already (a resend) is counted
// as a duplicate and stored nothing: exactly once. The incarnation is the
// agent spool's (agent/spool/spool_state.h); "" is a spool from before them.
// The same transaction keeps the sources table (who sends live events, for the
// agent_silent and source_silent conditions).
// EventReader: one per querying thread, read-only; sees what the writer committed.
//
// WAL mode with synchronous=FULL: a batch is acknowledged only once its commit
// is on disk (the WAL synced), so a power loss cannot lose what an agent has
// already deleted from its spool (NORMAL lost the last commits; an agent had
// no copy left). journal_size_limit bounds the WAL file after a checkpoint, so
// ingest recovers when disk space comes back. The cost is measured by
// bench/ingest_bench (a baseline of each).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collector/store/sqlite_handle.h"
#include "common/result.h"
#include "regwatch/v1/event.pb.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::store {

struct StoreOptions {
  int busy_timeout_ms = 5000;
};

inline constexpr uint32_t kDefaultQueryLimit = 1000;
// Agents send 32 hex digits (or "replay"); the bound keeps a key column small.
inline constexpr size_t kMaxSpoolIncarnationBytes = 64;
inline constexpr uint32_t kMaxQueryLimit = 100000;

class EventWriter {
 public:
  static Result<std::unique_ptr<EventWriter>> open(const std::string& path,
                                                   const StoreOptions& = {});

  struct InsertOutcome {
    uint32_t stored = 0;
    uint32_t duplicates = 0;
  };
  // All rows or none; on error (e.g. "disk_full") nothing of the batch is stored.
  // spool_incarnation: the sending spool's, for every event of the batch.
  Result<InsertOutcome> insert_batch(std::span<const regwatch::v1::Event> events,
                                     int64_t store_time_us,
                                     std::string_view spool_incarnation = {});
  // The same for events as they arrive in an EventBatch (no copy).
  Result<InsertOutcome> insert_batch(
      const google::protobuf::RepeatedPtrField<regwatch::v1::Event>& events, int64_t store_time_us,
      std::string_view spool_incarnation = {});
  // Deletes at most max_rows events stored before the cutoff; returns how many.
  Result<uint64_t> prune_stored_before(int64_t cutoff_store_time_us, uint32_t max_rows);
  // The same retention for what alerting keeps beside the events: condition alert episodes
  // resolved, and silences ended, before the cutoff. (Their evidence is gone by then, so an
  // episode cannot come back under its key.) Incidents, their updates and the notification
  // outbox are kept: the postmortem record, and what makes a page owed only once.
  Result<uint64_t> prune_alerting_before(int64_t cutoff_us);
  int schema_version() const { return schema_version_; }
  sqlite3* handle() const { return db_.get(); }

 private:
  EventWriter() = default;
  template <typename Range>
  Result<InsertOutcome> insert_range(const Range& events, int64_t store_time_us,
                                     std::string_view spool_incarnation);
  SqliteDb db_;
  Statement insert_;
  Statement prune_;
  Statement note_source_;  // the sources table: who sends live events (schema/006)
  int schema_version_ = 0;
};

// IncidentQuery.scope taken apart: a type, a name, or both ("switch:sw-3f").
struct ScopeFilter {
  std::string type;  // cluster, cm_node, switch, module, vlan, subnet; "" = any
  std::string name;  // "" = any
};
Result<ScopeFilter> parse_scope_filter(const std::string& text);

class EventReader {
 public:
  static Result<std::unique_ptr<EventReader>> open(const std::string& path,
                                                   const StoreOptions& = {});
  Result<regwatch::v1::EventList> query(const regwatch::v1::EventQuery& query);
  Result<regwatch::v1::StatusReply> status();
  // Incidents (schema 002), newest first.
  Result<regwatch::v1::IncidentList> incidents(const regwatch::v1::IncidentQuery& query);
  // Condition alerts firing (and, when asked, resolved since a time), newest first.
  Result<regwatch::v1::AlertList> alerts(const regwatch::v1::AlertQuery& query);
  // For correlation: events of these kinds with event time in [since_us, until_us), newest
  // first (so a cut drops old context, never the newest events), at most max_rows; returns
  // true when it had to cut.
  using StoredEventFn = std::function<void(int64_t id, regwatch::v1::Event&& event)>;
  Result<bool> scan_events(int64_t since_us, int64_t until_us,
                           const std::vector<std::string>& kinds, size_t max_rows,
                           const StoredEventFn& fn);
  // For correlation's in-memory window. Every event of these kinds with event time >= since_us,
  // newest first, at most max_rows (cut: true when there were more), together with the newest
  // row id of the table, read in one snapshot: scan_after(last_id) then continues with exactly
  // the rows committed since, none missed and none twice.
  struct WindowScan {
    bool cut = false;
    int64_t last_id = 0;
  };
  Result<WindowScan> scan_window(int64_t since_us, const std::vector<std::string>& kinds,
                                 size_t max_rows, const StoredEventFn& fn);
  // The rows after after_id of these kinds, in id (commit) order, at most max_rows (cut: true
  // when there were more); last_id: the last row read, or after_id when there were none.
  Result<WindowScan> scan_after(int64_t after_id, const std::vector<std::string>& kinds,
                                size_t max_rows, const StoredEventFn& fn);
  // For regwatch top. Phone reports of these kinds (the caller's drop rule decides which:
  // collector/correlate/drop_rule.h) that are not spoofed, with event time in
  // [since_us, until_us) (0 = no bound), by device then time (then agent, seq, id); reason is -1
  // when the report has none. Stops after max_rows and returns true when it had to.
  using PhoneReportFn = std::function<void(std::string_view device, int64_t time_us,
                                           std::string_view kind, int32_t reason)>;
  Result<bool> scan_phone_reports(int64_t since_us, int64_t until_us,
                                  const std::vector<std::string>& kinds, size_t max_rows,
                                  const PhoneReportFn& fn);
  // Every phone's CDP/LLDP sightings before until_us (0 = no bound), by device then time.
  using SightingFn = std::function<void(const regwatch::v1::Event& topology_event)>;
  Result<bool> scan_sightings(int64_t until_us, size_t max_rows, const SightingFn& fn);

 private:
  EventReader() = default;
  SqliteDb db_;
};

// The columns an event is stored under (shared by the writer and the bare baseline).
struct EventColumns {
  std::string device;  // "" = NULL
  bool has_reason = false;
  int32_t reason_code = 0;
};
EventColumns columns_of(const regwatch::v1::Event& event);

// How a store commits: durable (the collector's: synchronous=FULL) or not (NORMAL,
// for the benchmark to show what durability costs).
enum class Durability { kDurable, kNotDurable };

// Benchmark baseline: the same table, indexes and insert statement (every row
// with spool_incarnation), batched transactions, none of the collector around
// it. Returns rows inserted.
Result<uint64_t> bare_batched_insert(const std::string& path,
                                     std::span<const regwatch::v1::Event> events, size_t batch,
                                     std::string_view spool_incarnation = {},
                                     Durability durability = Durability::kDurable);

}  // namespace regwatch::collector::store
