#pragma once
// A global budget for the memory of batches read but not yet committed (waiting in, or being
// written by, the CommitQueue), across every Ingest stream. A stream charges a batch's size once
// it has read it and releases it when the commit completes. A stream reads its next batch only
// while the budget has room; otherwise it waits (it does not read, so HTTP/2 flow control holds
// the agent back) and is woken once commits have brought the total under the limit again.
//
// The total can pass the limit by what streams read while it still had room (at most one
// message each), never by more: the budget is checked before every read.
//
// Waiting and waking: wait_or_admit() either admits a read or registers a wake callback under a
// ticket. release() calls the callbacks of all waiters once the total is under the limit, on the
// releasing thread, outside the budget's lock (a callback may take its stream's lock and start a
// read). A stream that ends while waiting calls cancel(): true means its callback was removed
// and will not run; false means it is running or about to, and the stream must wait for it
// before going away. Threads: any.
//
// Metrics (the process's registry): regwatch_ingest_pending_bytes (now),
// regwatch_ingest_pending_bytes_limit (the budget) and regwatch_ingest_budget_waits_total.
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "common/metrics/metric.h"

namespace regwatch::collector::ingest {

struct PendingBytesStats {
  uint64_t pending_bytes = 0;
  uint64_t peak_pending_bytes = 0;
  uint64_t waits = 0;  // reads put off because the budget was spent
};

class PendingBytesBudget {
 public:
  explicit PendingBytesBudget(uint64_t limit_bytes);
  PendingBytesBudget(const PendingBytesBudget&) = delete;
  PendingBytesBudget& operator=(const PendingBytesBudget&) = delete;

  using Ticket = uint64_t;
  // True: read now. False: `wake` was registered under `ticket` and runs once there is room.
  bool wait_or_admit(std::function<void()> wake, Ticket& ticket);
  // See above: true when the callback was removed before it ran.
  bool cancel(Ticket ticket);

  // A batch of `bytes` was read (always accepted: it is already in memory).
  void charge(uint64_t bytes);
  // A charged batch was committed or dropped; wakes the waiters if there is room now.
  void release(uint64_t bytes);

  PendingBytesStats stats() const;
  uint64_t limit() const { return limit_; }

 private:
  const uint64_t limit_;
  mutable std::mutex mutex_;
  PendingBytesStats stats_;
  Ticket next_ticket_ = 1;
  std::map<Ticket, std::function<void()>> waiters_;  // in order of arrival
  metrics::Gauge& pending_gauge_;
  metrics::Counter& waits_counter_;
};

}  // namespace regwatch::collector::ingest
