#pragma once
// The collector's single database writer. Ingest reactors hand it batches; it
// commits each batch in one transaction and then calls the batch's completion,
// on its own thread, so acks are sent only for what is durably stored. It also
// prunes expired events between batches, in small chunks, so retention never
// blocks ingest for long; with an AlertingRetention, what alerting keeps is pruned at the
// same time and to the same cutoff.
//
// Each batch's time from submit() to stored is regwatch_ingest_batch_seconds (docs/metrics.md).
//
// A store known unavailable fails batches at once (StoreAvailability has the rules and why):
// once a commit fails "unavailable" (the writer's reply deadline passed, or the connection was
// lost), every batch still queued fails at once with that error, not tried, and submit()
// refuses new ones (kStoreUnavailable) until the store answers again; one batch a
// store_retry_after tries it. The ingest stream then ends UNAVAILABLE and its agent, which keeps
// every batch until it is acked, takes it to another collector. Counted in
// regwatch_ingest_batches_failed_total{reason} and regwatch_ingest_store_available; logged
// once when the store goes and once when it comes back, not per batch.
//
// Threads: submit() from any thread; completions run on the writer thread and
// must be quick (reactors only queue an ack there).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "collector/ingest/arena_batch.h"
#include "collector/ingest/store_availability.h"
#include "collector/store/alerting_retention.h"
#include "collector/store/event_sink.h"
#include "common/clock.h"
#include "common/metrics/metric.h"
#include "regwatch/v1/ingest.pb.h"

namespace regwatch::collector::ingest {

using CommitResult = Result<store::EventSink::InsertOutcome>;
using CommitDone = std::function<void(const CommitResult&)>;

struct CommitQueueOptions {
  size_t max_queued_batches = 4096;
  uint32_t retention_days = 90;  // 0 = keep everything
  std::chrono::seconds prune_every{60};
  uint32_t prune_chunk_rows = 5000;
  // Called on the commit thread after a batch is stored, with the event-time
  // range of its new events (correlation recomputes that range). Must be quick.
  std::function<void(int64_t min_event_us, int64_t max_event_us)> on_stored;
  // While the store is unavailable, how long after the last failure one batch tries it again.
  // A second: an outage ends for ingest within about that of the store answering, and a probe
  // costs one batch (its agent's) at most the writer's reply deadline, one a second.
  std::chrono::milliseconds store_retry_after{1000};
  // While the store is unavailable and no batch comes (its agents went to other collectors),
  // the commit thread tries it itself this long after the last failure, so that the queue and
  // regwatch_ingest_store_available find it back without waiting for a batch.
  std::chrono::milliseconds store_idle_probe_after{10000};
};

// What submit() did with a batch: converts to true when it was queued.
struct Submitted {
  enum class Refusal { kNone, kQueueFull, kStopping, kStoreUnavailable };
  Refusal refusal = Refusal::kNone;
  std::string why;  // for kStoreUnavailable: the store's last error
  explicit operator bool() const { return refusal == Refusal::kNone; }
};

struct CommitQueueStats {
  uint64_t batches = 0;
  uint64_t events_stored = 0;
  uint64_t duplicates = 0;
  uint64_t failed_batches = 0;       // tried and failed (the store's error)
  uint64_t failed_unavailable = 0;   // queued when the store became unavailable: failed, not tried
  uint64_t refused_unavailable = 0;  // refused by submit() while the store was unavailable
  bool store_unavailable = false;
  uint64_t idle_probes = 0;  // tries of the store with no batch (store_idle_probe_after), done
  uint64_t pruned = 0;
};

class CommitQueue {
 public:
  // alerting: pruned beside the events when given (the collector's); null = events only.
  CommitQueue(std::unique_ptr<store::EventSink> writer, CommitQueueOptions options,
              const Clock& clock, std::unique_ptr<store::AlertingRetention> alerting = nullptr);
  ~CommitQueue();
  CommitQueue(const CommitQueue&) = delete;
  CommitQueue& operator=(const CommitQueue&) = delete;

  // Refused (false) when the queue is full, stopping, or the store is known unavailable: the
  // caller fails the stream (UNAVAILABLE for the last), the agent keeps the data and resends.
  // done is not called for a refused batch.
  Submitted submit(ArenaBatchPtr batch, CommitDone done);
  // The same for a batch not on an arena (tests, tools): copied onto one.
  Submitted submit(const regwatch::v1::EventBatch& batch, CommitDone done);
  // Commits what is queued, then stops the thread.
  void stop();
  CommitQueueStats stats() const;

 private:
  struct Job {
    ArenaBatchPtr batch;
    CommitDone done;
    std::chrono::steady_clock::time_point submitted;
  };
  void run();
  void prune_if_due(int64_t& next_prune_us);
  // The idle probe (store_idle_probe_after): a prune of nothing, one round trip that changes
  // nothing, its outcome noted as a batch's would be.
  void probe_store();
  // Notes how a call to the store ended (error: null when it answered). On "unavailable" the
  // queued jobs are moved to `failed`, for the caller to fail outside the lock. Logs and
  // counts the transitions. Takes the lock.
  void note_store_outcome(const Error* error, std::deque<Job>& failed);
  // Completes each job with "unavailable", not tried (on the commit thread, outside the lock).
  void fail_not_tried(std::deque<Job>& failed);

  std::unique_ptr<store::EventSink> writer_;
  std::unique_ptr<store::AlertingRetention> alerting_;
  CommitQueueOptions options_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  CommitQueueStats stats_;
  StoreAvailability availability_;
  // regwatch_ingest_batch_seconds: submit to stored (the wait in the queue and the commit).
  metrics::Histogram& batch_seconds_;
  // regwatch_ingest_batches_failed_total by reason, and regwatch_ingest_store_available.
  metrics::Counter& failed_error_;
  metrics::Counter& failed_unavailable_;
  metrics::Counter& failed_not_tried_;
  metrics::Gauge& store_available_;
  std::thread thread_;
};

}  // namespace regwatch::collector::ingest
