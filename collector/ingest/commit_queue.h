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
// Threads: submit() from any thread; completions run on the writer thread and
// must be quick (reactors only queue an ack there).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "collector/ingest/arena_batch.h"
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
};

struct CommitQueueStats {
  uint64_t batches = 0;
  uint64_t events_stored = 0;
  uint64_t duplicates = 0;
  uint64_t failed_batches = 0;
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

  // False when the queue is full or stopping (the caller fails the stream, the
  // agent keeps the data and resends).
  bool submit(ArenaBatchPtr batch, CommitDone done);
  // The same for a batch not on an arena (tests, tools): copied onto one.
  bool submit(const regwatch::v1::EventBatch& batch, CommitDone done);
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

  std::unique_ptr<store::EventSink> writer_;
  std::unique_ptr<store::AlertingRetention> alerting_;
  CommitQueueOptions options_;
  const Clock& clock_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  CommitQueueStats stats_;
  // regwatch_ingest_batch_seconds: submit to stored (the wait in the queue and the commit).
  metrics::Histogram& batch_seconds_;
  std::thread thread_;
};

}  // namespace regwatch::collector::ingest
