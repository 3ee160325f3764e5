#pragma once
// The agent's durable spool: the disk is the queue between the inputs and the
// shipper, so a collector or network outage, or a kill -9 of the agent, loses
// nothing that was appended.
//
// - append() stamps agent_id and the next seq (strictly increasing, never
//   reused, even across restarts) and write()s the record at once: it survives
//   kill -9; fdatasync runs every fsync_interval for power loss.
// - Bounded by max_bytes. When full, append never blocks: drop_oldest deletes
//   the oldest segment (its unacknowledged events count as dropped) and
//   reports at once; drop_newest refuses new events and reports once an ack
//   frees space. Reports are AGENT_DROPS events (the report may exceed the
//   bound by one small record), each labelled with what really happened:
//   "spool_full" with the policy that chose the victims; "spool_write_failed"
//   (policy drop_newest: the new event was refused) when the disk refused the
//   write (ENOSPC, EIO: logged with the error, rate-limited); "spool_event_too_large"
//   for an event over the record limit; "spool_dropped_before_restart" for drops
//   an earlier run counted but could not report (the state file keeps the count,
//   not the cause); "spool_unreadable_record" for a stored record that is not an event the
//   collector could parse (read_stored_after skips it). Refused-write drops are reported as
//   soon as a write succeeds.
// - ack(seq) persists the collector's position and deletes wholly acknowledged
//   segments.
// - Recovery on open: nothing lost without being counted (issue 17). Each
//   segment is scanned record by record; at a record that does not decode
//   (bad length, CRC or seq) recovery resynchronises on the next valid record
//   (records have no magic: each following byte offset is tried, requiring a
//   valid CRC and a seq above the last good one that the skipped bytes could
//   have held) and keeps every good record. A segment with damage is first
//   copied aside as `<segment>.damaged-<UTC time>` (kept for inspection, never
//   read as a segment, not counted in max_bytes, never deleted by the spool),
//   then rewritten without the damaged bytes. A torn tail (an incomplete last
//   record, what a kill or power loss leaves) is cut off without a copy. The
//   records lost, apart from those already acknowledged, count as drops: the
//   seq gap where the next seq is known (the next good record or the next
//   segment's name), else the state file's last seq if it knew more, else one
//   per damaged range. They are reported at once, as AGENT_DROPS events with
//   reason "spool_corrupt_record" or "spool_torn_tail", after the kept records.
// - The next seq after recovery is above the state file's last seq, every
//   seq found in a segment, every seq a segment name implies was assigned,
//   and the seq in the header of an unreadable tail record when it is the one
//   that record must have had: a state file older than the segments (power
//   loss) never makes a seq be given twice.
// - Opening a directory without a state file creates the spool, with a new
//   incarnation (spool_state.h) saved before any seq is assigned; the
//   incarnation then stays for the spool's life and goes with every batch.
//
// Threads: all methods are thread-safe (one mutex; disk I/O is short appends).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "agent/spool/spool_state.h"
#include "common/clock.h"
#include "common/function_ref.h"
#include "common/logging.h"
#include "common/result.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::spool {

enum class DropPolicy { kDropOldest, kDropNewest };
std::optional<DropPolicy> parse_drop_policy(std::string_view text);
std::string_view to_string(DropPolicy policy);

struct SpoolOptions {
  std::filesystem::path dir;
  uint64_t max_bytes = 256ull << 20;
  uint64_t segment_bytes = 8ull << 20;
  // The newest events matter most when a long outage ends (docs/decisions.md).
  DropPolicy policy = DropPolicy::kDropOldest;
  std::chrono::milliseconds fsync_interval{1000};  // 0 = never fsync
  // The incarnation a spool this open creates takes; "" = a random one. A
  // replay gives one (its seqs are positions in the archive, so replaying the
  // same archive again must number it the same way). An existing spool keeps
  // its own whatever this says.
  std::string incarnation_if_created;
};

struct SpoolStats {
  uint64_t appended = 0;
  uint64_t dropped_total = 0;
  uint64_t oversized = 0;
  uint64_t corrupt_records = 0;  // damaged ranges (torn tails too) skipped by the last recovery
  // Records whose checksum held but whose event does not parse (an event that was appended but
  // cannot be read back, e.g. a string field that is not UTF-8, or a record written cut short):
  // skipped when shipping, logged, counted as drops and reported (read_stored_after).
  uint64_t unparsable_records = 0;
  uint64_t bytes_on_disk = 0;
  uint64_t segments = 0;
  uint64_t acked_seq = 0;
  uint64_t last_seq = 0;
};

// An agent_drops event: the one shape of every report that the agent had to
// drop input (the spool's own when full, the inputs' refusals).
regwatch::v1::Event make_drop_report(const std::string& agent_id, const std::string& reason,
                                     const std::string& policy, uint64_t dropped,
                                     uint64_t dropped_total, int64_t now_us);

class Spool {
 public:
  static Result<std::unique_ptr<Spool>> open(const SpoolOptions& options, std::string agent_id,
                                             const Clock& clock);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  bool append(regwatch::v1::Event event);
  // The events after after_seq, in seq order, as they were stored: each one a serialised
  // regwatch.v1.Event with agent_id and seq stamped by append(), so the shipper sends these
  // bytes as they are (issue 24). Each is checked first (stored_event.h: it parses, and its seq
  // is its record's); one that is not is skipped, counted (stats().unparsable_records and
  // dropped_total), logged, and reported as an AGENT_DROPS event "spool_unreadable_record"
  // (once per record and run: a record skipped again after a restart, before any ack covered
  // it, counts again). Stops after max_events, or once the events taken reach max_bytes.
  // `take` runs under the spool's lock: quick, and it must not call the spool.
  // Returns the seq of the last record read, taken or skipped (0 when none): where the next
  // read starts, so a skipped record at the end is not read again and again.
  uint64_t read_stored_after(uint64_t after_seq, size_t max_events, size_t max_bytes,
                             FunctionRef<void(uint64_t seq, std::string_view event)> take);
  // The same events parsed (tests, tools).
  std::vector<regwatch::v1::Event> read_after(uint64_t after_seq, size_t max_events,
                                              size_t max_bytes);
  void ack(uint64_t seq);
  bool wait_for_data_after(uint64_t seq, std::chrono::milliseconds timeout);
  void set_append_listener(std::function<void()> on_append);
  void close();
  void flush();

  uint64_t acked_seq() const;
  uint64_t last_seq() const;
  SpoolStats stats() const;
  // Fixed when the spool is opened; "" for a spool from before incarnations.
  const std::string& incarnation() const { return incarnation_; }

 private:
  struct Segment {
    uint64_t first_seq = 0;  // seq the file is named after
    uint64_t last_seq = 0;   // 0 while empty
    uint64_t count = 0;
    uint64_t bytes = 0;
    std::filesystem::path path;
  };
  Spool(SpoolOptions options, std::string agent_id, const Clock& clock);
  Status recover();
  Status open_active_segment(uint64_t first_seq);
  // Why write_locked refused an event.
  enum class WriteRefusal { kNone, kTooLarge, kWriteFailed };
  // Assigns seq, writes; false if it can't (refusal_ says why, the failure is logged).
  bool write_locked(regwatch::v1::Event& event);
  // Counts one event the spool could not keep, under its reason.
  void count_drop_locked(uint64_t& pending_of_reason);
  void make_room_locked(uint64_t needed);
  void append_drop_report_locked();
  void report_recovery_drops_locked(const std::string& reason, uint64_t lost);
  void delete_acked_segments_locked();
  // Deletes a wholly acknowledged segment's file; false (logged, rate-limited) when it cannot.
  bool remove_acked_segment_locked(const std::filesystem::path& path);
  void save_state_locked();
  uint64_t total_bytes_locked() const;
  void fsync_loop();

  const SpoolOptions options_;
  const std::string agent_id_;
  const Clock& clock_;
  std::filesystem::path state_file_;
  std::string incarnation_;  // set by recover(), immutable afterwards

  mutable std::mutex mutex_;
  std::condition_variable data_cv_;
  std::vector<Segment> segments_;  // oldest first; back() is the active one
  int active_fd_ = -1;
  SpoolState state_;
  SpoolStats stats_;
  uint64_t last_unparsable_seq_ = 0;  // the latest record counted in unparsable_records
  bool closed_ = false;
  uint64_t failed_deletions_ = 0;               // acknowledged segments that could not be deleted
  WriteRefusal refusal_ = WriteRefusal::kNone;  // of the last failed write_locked
  // Drops counted in this run and not reported yet, by reason; what state_ counts beyond
  // their sum was counted by an earlier run ("spool_dropped_before_restart").
  uint64_t pending_full_ = 0;
  uint64_t pending_write_failed_ = 0;
  uint64_t pending_too_large_ = 0;
  uint64_t pending_unreadable_ = 0;
  RateLimitedLog write_failure_log_{1, std::chrono::seconds(60)};
  std::function<void()> on_append_;
  std::string scratch_;
  // Where the last read_after stopped, so the shipper's next read continues
  // there instead of rescanning the segment.
  struct ReadCursor {
    std::filesystem::path path;
    uint64_t offset = 0;
    uint64_t next_seq = 0;
  } cursor_;
  std::thread fsync_thread_;
  std::condition_variable fsync_cv_;
};

}  // namespace regwatch::agent::spool
