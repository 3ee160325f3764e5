#include "collector/ingest/commit_queue.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "common/metrics/registry.h"

namespace regwatch::collector::ingest {
namespace {

constexpr char kUnavailable[] = "unavailable";  // database.h's code for a store gone

metrics::Family<metrics::Counter>& failed_batches_family() {
  return metrics::default_registry().counter(
      "regwatch_ingest_batches_failed_total",
      "Batches from agents not stored, by reason: error (the store refused the commit), "
      "unavailable (the store did not answer or the connection was lost), not_tried (failed at "
      "once or refused while the store was known unavailable). Not lost: the agent keeps a "
      "batch until it is acked and takes it to another collector.",
      {"reason"});
}

}  // namespace

CommitQueue::CommitQueue(std::unique_ptr<store::EventSink> writer, CommitQueueOptions options,
                         const Clock& clock, std::unique_ptr<store::AlertingRetention> alerting)
    : writer_(std::move(writer)),
      alerting_(std::move(alerting)),
      options_(std::move(options)),
      clock_(clock),
      availability_(
          std::chrono::duration_cast<std::chrono::microseconds>(options_.store_retry_after)
              .count()),
      batch_seconds_(metrics::default_registry()
                         .histogram("regwatch_ingest_batch_seconds",
                                    "Time from a batch's arrival at the commit queue to its "
                                    "commit (queueing and storing), before the ack is sent.",
                                    {}, metrics::latency_buckets())
                         .with({})),
      failed_error_(failed_batches_family().with({"error"})),
      failed_unavailable_(failed_batches_family().with({"unavailable"})),
      failed_not_tried_(failed_batches_family().with({"not_tried"})),
      store_available_(
          metrics::default_registry()
              .gauge("regwatch_ingest_store_available",
                     "1 while the commit queue takes the store for available; 0 while it fails "
                     "agents' batches at once because a commit found it unavailable.")
              .with({})) {
  store_available_.set(1);
  thread_ = std::thread([this] { run(); });
}

CommitQueue::~CommitQueue() {
  stop();
}

Submitted CommitQueue::submit(const regwatch::v1::EventBatch& batch, CommitDone done) {
  auto on_arena = std::make_unique<ArenaBatch>();
  on_arena->get() = batch;
  on_arena->set_wire_bytes(batch.ByteSizeLong());
  return submit(std::move(on_arena), std::move(done));
}

Submitted CommitQueue::submit(ArenaBatchPtr batch, CommitDone done) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return {Submitted::Refusal::kStopping, {}};
    if (jobs_.size() >= options_.max_queued_batches) return {Submitted::Refusal::kQueueFull, {}};
    if (!availability_.admit(clock_.now_us())) {
      ++stats_.refused_unavailable;
      failed_not_tried_.inc();
      return {Submitted::Refusal::kStoreUnavailable, availability_.why()};
    }
    jobs_.push_back(Job{std::move(batch), std::move(done), std::chrono::steady_clock::now()});
  }
  wake_.notify_one();
  return {};
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

void CommitQueue::note_store_outcome(const Error* error, std::deque<Job>& failed) {
  // Called for every batch, on the one writer thread: the logger is looked up (a registry
  // under a lock) only for the transitions that log.
  std::lock_guard lock(mutex_);
  if (error != nullptr && error->code == kUnavailable) {
    const bool went = availability_.failed_unavailable(clock_.now_us(), error->message);
    // Whatever waits would wait out the same deadline: it fails now, not tried.
    failed.swap(jobs_);
    stats_.failed_unavailable += failed.size();
    stats_.store_unavailable = true;
    failed_not_tried_.inc(failed.size());
    if (went) {
      store_available_.set(0);
      component_logger("collector.store")
          ->error(
              "the store is unavailable ({}): failing batches at once, not tried, until it answers "
              "again (one batch tries it every {} ms); agents keep their batches and take them to "
              "another collector; {} queued batches failed",
              error->message, options_.store_retry_after.count(), failed.size());
    }
    return;
  }
  if (availability_.answered()) {
    store_available_.set(1);
    stats_.store_unavailable = false;
    component_logger("collector.store")
        ->warn("the store answers again after {:.1f} s unavailable: committing batches",
               static_cast<double>(clock_.now_us() - availability_.unavailable_since_us()) / 1e6);
  }
}

void CommitQueue::prune_if_due(int64_t& next_prune_us) {
  if (options_.retention_days == 0) return;
  const int64_t now = clock_.now_us();
  if (now < next_prune_us) return;
  {
    // Not while the store is unavailable: a prune would only wait out the reply deadline.
    std::lock_guard lock(mutex_);
    if (availability_.unavailable()) return;
  }
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
  // The writer's connection is the batches': what it finds of the store holds for them.
  std::deque<Job> failed;
  note_store_outcome(pruned.ok() ? nullptr : &pruned.error(), failed);
  fail_not_tried(failed);
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

void CommitQueue::probe_store() {
  auto probed = writer_->prune_stored_before(0, 0);
  std::deque<Job> failed;  // none: submit() refuses batches while the probe is out
  note_store_outcome(probed.ok() ? nullptr : &probed.error(), failed);
  fail_not_tried(failed);
  std::lock_guard lock(mutex_);
  ++stats_.idle_probes;
}

void CommitQueue::fail_not_tried(std::deque<Job>& failed) {
  if (failed.empty()) return;
  std::string why;
  {
    std::lock_guard lock(mutex_);
    why = availability_.why();
  }
  const CommitResult result =
      make_error(kUnavailable, "not tried: the store is unavailable (" + why + ")");
  for (Job& job : failed) job.done(result);
  failed.clear();
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
        const bool probe = availability_.admit_idle(
            clock_.now_us(),
            std::chrono::duration_cast<std::chrono::microseconds>(options_.store_idle_probe_after)
                .count());
        lock.unlock();
        if (probe) {
          probe_store();
        } else {
          prune_if_due(next_prune_us);
        }
        continue;
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    const auto& events = job.batch->get().events();
    CommitResult result =
        writer_->insert_batch(events, clock_.now_us(), job.batch->get().spool_incarnation(),
                              job.batch->stored_payloads());
    {
      std::lock_guard lock(mutex_);
      ++stats_.batches;
      if (result.ok()) {
        stats_.events_stored += result->stored;
        stats_.duplicates += result->duplicates;
      } else {
        ++stats_.failed_batches;
        (result.error().code == kUnavailable ? failed_unavailable_ : failed_error_).inc();
      }
    }
    std::deque<Job> failed;
    note_store_outcome(result.ok() ? nullptr : &result.error(), failed);
    // "unavailable" is logged once per outage (note_store_outcome), not per batch.
    if (!result.ok() && result.error().code != kUnavailable) {
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
    fail_not_tried(failed);
    prune_if_due(next_prune_us);
  }
}

}  // namespace regwatch::collector::ingest
