#include "collector/ingest/commit_queue.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "common/metrics/registry.h"

namespace regwatch::collector::ingest {

CommitQueue::CommitQueue(std::unique_ptr<store::EventSink> writer, CommitQueueOptions options,
                         const Clock& clock, std::unique_ptr<store::AlertingRetention> alerting)
    : writer_(std::move(writer)),
      alerting_(std::move(alerting)),
      options_(std::move(options)),
      clock_(clock),
      batch_seconds_(metrics::default_registry()
                         .histogram("regwatch_ingest_batch_seconds",
                                    "Time from a batch's arrival at the commit queue to its "
                                    "commit (queueing and storing), before the ack is sent.",
                                    {}, metrics::latency_buckets())
                         .with({})) {
  thread_ = std::thread([this] { run(); });
}

CommitQueue::~CommitQueue() {
  stop();
}

bool CommitQueue::submit(const regwatch::v1::EventBatch& batch, CommitDone done) {
  auto on_arena = std::make_unique<ArenaBatch>();
  on_arena->get() = batch;
  return submit(std::move(on_arena), std::move(done));
}

bool CommitQueue::submit(ArenaBatchPtr batch, CommitDone done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= options_.max_queued_batches) return false;
    jobs_.push_back(Job{std::move(batch), std::move(done), std::chrono::steady_clock::now()});
  }
  wake_.notify_one();
  return true;
}

void CommitQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

CommitQueueStats CommitQueue::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CommitQueue::prune_if_due(int64_t& next_prune_us) {
  if (options_.retention_days == 0) return;
  const int64_t now = clock_.now_us();
  if (now < next_prune_us) return;
  next_prune_us =
      now + std::chrono::duration_cast<std::chrono::microseconds>(options_.prune_every).count();
  const int64_t cutoff = now - int64_t{options_.retention_days} * 86400 * 1'000'000;
  if (alerting_) {
    if (auto alerting = alerting_->prune_before(cutoff); !alerting.ok()) {
      component_logger("collector.store")
          ->warn("retention pruning failed: {}", alerting.error().message);
    }
  }
  auto pruned = writer_->prune_stored_before(cutoff, options_.prune_chunk_rows);
  if (!pruned.ok()) {
    component_logger("collector.store")
        ->warn("retention pruning failed: {}", pruned.error().message);
    return;
  }
  if (*pruned > 0) {
    std::lock_guard lock(mutex_);
    stats_.pruned += *pruned;
    // More may be left: come back soon, but after the queued batches.
    if (*pruned == options_.prune_chunk_rows) next_prune_us = now;
  }
}

void CommitQueue::run() {
  auto log = component_logger("collector.store");
  int64_t next_prune_us = 0;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) {
        if (stopping_) return;
        lock.unlock();
        prune_if_due(next_prune_us);
        continue;
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    const auto& events = job.batch->get().events();
    CommitResult result =
        writer_->insert_batch(events, clock_.now_us(), job.batch->get().spool_incarnation());
    {
      std::lock_guard lock(mutex_);
      ++stats_.batches;
      if (result.ok()) {
        stats_.events_stored += result->stored;
        stats_.duplicates += result->duplicates;
      } else {
        ++stats_.failed_batches;
      }
    }
    if (!result.ok()) {
      static RateLimitedLog limiter;
      uint64_t suppressed = 0;
      if (limiter.allow(suppressed)) {
        log->error("cannot store a batch of {} events: {} ({} similar messages suppressed)",
                   events.size(), result.error().message, suppressed);
      }
    }
    if (result.ok() && result->stored > 0 && options_.on_stored && !events.empty()) {
      int64_t lo = events[0].event_time_us(), hi = lo;
      for (const auto& e : events) {
        lo = std::min(lo, e.event_time_us());
        hi = std::max(hi, e.event_time_us());
      }
      options_.on_stored(lo, hi);
    }
    batch_seconds_.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - job.submitted).count());
    job.done(result);
    prune_if_due(next_prune_us);
  }
}

}  // namespace regwatch::collector::ingest
