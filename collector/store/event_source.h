#pragma once
// EventSource: what the collector's readers ask of the event history, whatever the
// database: the query service (Events, Status, Top, the dashboard's reads), correlation (its window
// and directory) and the condition runner. The SQLite implementation is EventReader
// (event_reader.h); a second backend (PostgreSQL, later) implements this and EventSink
// (event_sink.h).
//
// Contract every implementation keeps:
// - One thread uses a source (each query worker and runner opens its own); it sees what
//   sinks have committed, never a half-stored batch.
// - Bad requests (an unknown kind, too many ids) are errors with code "unknown_kind" or
//   "too_many_ids", never a crash; an undecodable stored event is skipped by the scans and
//   a "database_corrupt" error for query().
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "regwatch/v1/event.pb.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::store {

class EventSource {
 public:
  virtual ~EventSource() = default;

  virtual Result<regwatch::v1::EventList> query(const regwatch::v1::EventQuery& query) = 0;
  // What the events say about the store: its schema version, every agent's last seq, last
  // store time and counts, and the total. (The receivers' delivery counts come from the
  // notification outbox: OutboxStatusReader.)
  virtual Result<regwatch::v1::StatusReply> status() = 0;

  // For correlation: events of these kinds with event time in [since_us, until_us), newest
  // first (so a cut drops old context, never the newest events), at most max_rows; returns
  // true when it had to cut.
  using StoredEventFn = std::function<void(int64_t id, regwatch::v1::Event&& event)>;
  virtual Result<bool> scan_events(int64_t since_us, int64_t until_us,
                                   const std::vector<std::string>& kinds, size_t max_rows,
                                   const StoredEventFn& fn) = 0;
  // For correlation's in-memory window. Every event of these kinds with event time >= since_us,
  // newest first, at most max_rows (cut: true when there were more), together with the newest
  // row id of the table, read in one snapshot: scan_after(last_id) then continues with exactly
  // the rows committed since, none missed and none twice.
  struct WindowScan {
    bool cut = false;
    int64_t last_id = 0;
  };
  virtual Result<WindowScan> scan_window(int64_t since_us, const std::vector<std::string>& kinds,
                                         size_t max_rows, const StoredEventFn& fn) = 0;
  // The rows after after_id of these kinds, in id (commit) order, at most max_rows (cut: true
  // when there were more); last_id: the last row read, or after_id when there were none.
  virtual Result<WindowScan> scan_after(int64_t after_id, const std::vector<std::string>& kinds,
                                        size_t max_rows, const StoredEventFn& fn) = 0;
  // For a collector that follows what other collectors store (collectors in pairs): the rows
  // committed after after_id, by any collector, as a count and their event-time range.
  // Row ids follow commit order on both backends (event_writer.h), so polling this from the
  // last_id it returned misses nothing. newest_id(): the id to start from (0: empty table).
  struct RowsAfter {
    uint64_t rows = 0;
    int64_t min_event_us = 0;
    int64_t max_event_us = 0;
    int64_t last_id = 0;  // after_id when there were none
  };
  virtual Result<RowsAfter> rows_after(int64_t after_id) = 0;
  virtual Result<int64_t> newest_id() = 0;
  // For regwatch top. Phone reports of these kinds (the caller's drop rule decides which:
  // collector/correlate/drop_rule.h) that are not spoofed, with event time in
  // [since_us, until_us) (0 = no bound), by device then time (then agent, seq, id); reason is -1
  // when the report has none. Stops after max_rows and returns true when it had to.
  using PhoneReportFn = std::function<void(std::string_view device, int64_t time_us,
                                           std::string_view kind, int32_t reason)>;
  virtual Result<bool> scan_phone_reports(int64_t since_us, int64_t until_us,
                                          const std::vector<std::string>& kinds, size_t max_rows,
                                          const PhoneReportFn& fn) = 0;
  // Every phone's CDP/LLDP sightings before until_us (0 = no bound), by device then time.
  using SightingFn = std::function<void(const regwatch::v1::Event& topology_event)>;
  virtual Result<bool> scan_sightings(int64_t until_us, size_t max_rows, const SightingFn& fn) = 0;

  // The dashboard's reads (issue 19), from the summaries the sink keeps in each batch's
  // transaction (SQLite: schema/013) and small indexes, never by grouping every event: each
  // answers in milliseconds however many events are stored.
  //
  // Every input (agent, source, origin) with the store time of its latest batch, its latest
  // event time and its event count, by agent, source, origin; at most max_rows (truncated
  // when there were more). `silent` is left unset: the caller knows the time.
  virtual Result<regwatch::v1::InputList> inputs(size_t max_rows) = 0;
  // How find_phones() compares its value: the device name exactly or as a prefix (both
  // without case), the MAC (lower-case colon form), the IP exactly, or a piece of the device
  // name or description (without case) or of the IP.
  enum class PhoneMatch { kDevice, kDevicePrefix, kMac, kIp, kText };
  // The phones that match, by device name, at most max_rows.
  virtual Result<std::vector<regwatch::v1::PhoneSummary>> find_phones(PhoneMatch how,
                                                                      std::string_view value,
                                                                      size_t max_rows) = 0;
  // Each CM node's latest CISCO-CCM-MIB counts (kind registered_phones, not spoofed) with event
  // time at or before at_us, by node (the event's origin); at most max_nodes nodes.
  virtual Result<std::vector<regwatch::v1::StoredEvent>> latest_registered_phones(
      int64_t at_us, size_t max_nodes) = 0;
};

}  // namespace regwatch::collector::store
