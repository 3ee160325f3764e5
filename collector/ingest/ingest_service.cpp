#include "collector/ingest/ingest_service.h"

#include <deque>
#include <mutex>
#include <optional>

#include "collector/ingest/ingest_message.h"
#include "collector/store/store_options.h"
#include "common/logging.h"

namespace regwatch::collector::ingest {

std::string_view reject_reason_name(RejectReason reason) {
  switch (reason) {
    case RejectReason::kUnparsable: return kRejectUnparsable;
    case RejectReason::kTooLarge: return kRejectTooLarge;
    case RejectReason::kInvalid: return "invalid";
  }
  return "invalid";  // not reached: every reason is named above
}

namespace {

metrics::Counter& reject_counter(metrics::Registry& registry, RejectReason reason) {
  return registry
      .counter("regwatch_ingest_batches_rejected_total",
               "Messages agents sent that ended their stream unstored, by reason: unparsable "
               "(not an EventBatch), too_large (over ingest.max_message_bytes), invalid (its "
               "events break a rule).",
               {"reason"})
      .with({reject_reason_name(reason)});
}

}  // namespace

RejectCounters::RejectCounters(metrics::Registry& registry)
    : unparsable_(reject_counter(registry, RejectReason::kUnparsable)),
      too_large_(reject_counter(registry, RejectReason::kTooLarge)),
      invalid_(reject_counter(registry, RejectReason::kInvalid)) {}

void RejectCounters::count(RejectReason reason) {
  switch (reason) {
    case RejectReason::kUnparsable: unparsable_.inc(); return;
    case RejectReason::kTooLarge: too_large_.inc(); return;
    case RejectReason::kInvalid: invalid_.inc(); return;
  }
}

namespace {

using regwatch::v1::Ack;
using regwatch::v1::EventBatch;

// Lifetime: created per stream by gRPC's call to Stream(); deletes itself in
// OnDone. Finish() is only called when no commit of this stream is pending, so
// commit completions never touch a deleted reactor. gRPC calls (StartRead,
// StartWrite, Finish) are made outside mutex_, because a reaction may run
// inline and Finish may lead straight to OnDone.
//
// Messages are read as bytes and made into EventBatches here (ingest_message.h), outside
// mutex_: a commit completion (on the commit queue's one writer thread) takes mutex_, and must
// not wait for a large batch to parse.
class IngestReactor final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  IngestReactor(grpc::CallbackServerContext* context, CommitQueue& queue,
                const AccessPolicy& policy, IngestLimits limits, IngestCounters& counters,
                RejectCounters& rejects, ConnectedAgents& connected)
      : queue_(queue),
        max_pending_(limits.max_pending_batches),
        max_message_bytes_(limits.max_message_bytes),
        budget_(limits.pending_bytes),
        counters_(counters),
        rejects_(rejects),
        connected_(connected),
        log_(component_logger("collector.ingest")) {
    peer_ = context->peer();
    IngestCaller caller;
    grpc::Status access = policy.check_ingest(*context, caller);
    agent_id_ = caller.agent_id;
    if (access.ok()) {
      slot_ = limits.streams.try_open(caller.identity);
      if (!slot_) {
        counters_.streams_over_limit.fetch_add(1);
        access = {grpc::StatusCode::RESOURCE_EXHAUSTED,
                  "'" + caller.identity + "' already has " +
                      std::to_string(limits.streams.max_per_identity()) +
                      " ingest streams open (ingest.max_streams_per_identity); retry later"};
      }
    }
    if (!access.ok()) {
      counters_.streams_refused.fetch_add(1);
      log_->warn("refused ingest stream from {}: {}", peer_, access.error_message());
      Finish(access);
      return;
    }
    counters_.streams_opened.fetch_add(1);
    log_->info("agent '{}' connected from {}", agent_id_, peer_);
    connected_.opened(agent_id_);
    counted_ = true;
    std::unique_lock lock(mutex_);
    read_more(lock);
  }

  void OnReadDone(bool ok) override {
    // Only this reaction touches incoming_ while reading_ is set, so it is decoded unlocked.
    std::optional<Result<ArenaBatchPtr>> decoded;
    if (ok) {
      ++messages_read_;
      decoded.emplace(decode_batch(incoming_, max_message_bytes_));
      incoming_.Clear();  // an oversized or unparsable message goes now, not at the next read
      // On this stream's thread, beside the commit queue's, not on its one writer thread.
      if (decoded->ok()) (**decoded)->prepare_stored_payloads();
    }
    std::unique_lock lock(mutex_);
    if (!ok || failed_) {
      reading_ = false;
      input_closed_ = true;
      finish_if_done(lock);
      return;
    }
    if (!decoded->ok()) {
      reading_ = false;
      const Error& error = decoded->error();
      const bool too_large = error.code == kRejectTooLarge;
      reject(too_large ? RejectReason::kTooLarge : RejectReason::kUnparsable,
             {too_large ? grpc::StatusCode::RESOURCE_EXHAUSTED : grpc::StatusCode::INVALID_ARGUMENT,
              "message " + std::to_string(messages_read_) + " on this stream is " + error.message});
      finish_if_done(lock);
      return;
    }
    if (grpc::Status valid = validate((**decoded)->get()); !valid.ok()) {
      reading_ = false;
      reject(RejectReason::kInvalid, valid);
      finish_if_done(lock);
      return;
    }
    ++pending_;
    ArenaBatchPtr batch = std::move(decoded->value());
    const uint64_t batch_id = batch->get().batch_id();
    const auto& events = batch->get().events();
    const uint64_t last_seq = events.empty() ? 0 : events.rbegin()->seq();
    const uint64_t bytes = batch->bytes_in_memory();  // what it holds in memory, not on the wire
    budget_.charge(bytes);
    lock.unlock();
    const Submitted submitted =
        queue_.submit(std::move(batch), [this, batch_id, last_seq, bytes](const CommitResult& r) {
          // Before on_committed takes the lock: the release may wake this very stream.
          budget_.release(bytes);
          on_committed(batch_id, last_seq, r);
        });
    const bool queued = static_cast<bool>(submitted);
    // Outside the lock, as in the completion: a release may wake other streams, which take
    // their own locks.
    if (!queued) budget_.release(bytes);
    lock.lock();
    // Only now: while reading_ was set, no commit completion could start the next read, whose
    // batch could then have been submitted (and acked) before this one.
    reading_ = false;
    if (!queued) {
      --pending_;
      // A store known unavailable: UNAVAILABLE, as a commit that failed, so the agent goes to
      // another collector at once rather than waiting for acks this one cannot give.
      if (submitted.refusal == Submitted::Refusal::kStoreUnavailable) {
        fail({grpc::StatusCode::UNAVAILABLE, "collector cannot store events: " + submitted.why});
      } else {
        fail({grpc::StatusCode::RESOURCE_EXHAUSTED, "collector is overloaded; retry later"});
      }
      finish_if_done(lock);
      return;
    }
    read_more(lock);
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock(mutex_);
    writing_ = false;
    if (!ok) {
      fail({grpc::StatusCode::UNAVAILABLE, "agent went away"});
      acks_.clear();
    } else {
      acks_.pop_front();
      counters_.batches_acked.fetch_add(1);
    }
    write_next(lock);
    finish_if_done(lock);
  }

  void OnCancel() override {
    std::unique_lock lock(mutex_);
    fail({grpc::StatusCode::CANCELLED, "stream cancelled"});
    finish_if_done(lock);
  }

  void OnDone() override {
    log_->info("agent '{}' stream from {} closed", agent_id_, peer_);
    if (counted_) connected_.closed(agent_id_);
    delete this;  // the callback API's sanctioned ownership model
  }

 private:
  grpc::Status validate(const EventBatch& batch) const {
    if (batch.spool_incarnation().size() > store::kMaxSpoolIncarnationBytes) {
      return {grpc::StatusCode::INVALID_ARGUMENT,
              "spool_incarnation longer than " + std::to_string(store::kMaxSpoolIncarnationBytes) +
                  " bytes"};
    }
    uint64_t previous = 0;
    for (const auto& event : batch.events()) {
      if (event.agent_id() != agent_id_) {
        return {grpc::StatusCode::INVALID_ARGUMENT, "event from agent '" + event.agent_id() +
                                                        "' on the stream of agent '" + agent_id_ +
                                                        "'"};
      }
      if (event.seq() == 0 || event.seq() <= previous) {
        return {grpc::StatusCode::INVALID_ARGUMENT,
                "event seq must be > 0 and ascending in a batch"};
      }
      previous = event.seq();
    }
    return grpc::Status::OK;
  }

  void on_committed(uint64_t batch_id, uint64_t last_seq, const CommitResult& result) {
    std::unique_lock lock(mutex_);
    --pending_;
    ++completing_;  // holds off Finish while this thread still uses the object
    if (!result.ok()) {
      // Not acked: the agent keeps the batch in its spool and resends it.
      fail({grpc::StatusCode::UNAVAILABLE,
            "collector cannot store events: " + result.error().message});
    } else if (!failed_) {
      Ack ack;
      ack.set_batch_id(batch_id);
      ack.set_last_seq(last_seq);
      ack.set_stored(result->stored);
      ack.set_duplicates(result->duplicates);
      acks_.push_back(encode_ack(ack));
      write_next(lock);
      read_more(lock);
    }
    --completing_;
    finish_if_done(lock);
  }

  void read_more(std::unique_lock<std::mutex>& lock) {
    if (reading_ || waiting_for_budget_ || input_closed_ || failed_ || pending_ >= max_pending_)
      return;
    if (!budget_.wait_or_admit([this] { on_budget_available(); }, budget_ticket_)) {
      waiting_for_budget_ = true;
      static RateLimitedLog limiter;
      uint64_t suppressed = 0;
      if (limiter.allow(suppressed)) {
        log_->warn(
            "uncommitted batches reached ingest.pending_bytes_budget ({} bytes): streams wait "
            "for commits before reading more ({} similar messages suppressed)",
            budget_.limit(), suppressed);
      }
      return;
    }
    reading_ = true;
    lock.unlock();
    StartRead(&incoming_);
    lock.lock();
  }

  // Called by the budget (on a committing thread) once there is room again.
  void on_budget_available() {
    std::unique_lock lock(mutex_);
    waiting_for_budget_ = false;
    read_more(lock);
    finish_if_done(lock);
  }

  void write_next(std::unique_lock<std::mutex>& lock) {
    if (writing_ || acks_.empty() || failed_) return;
    writing_ = true;
    // The deque keeps it in place until OnWriteDone pops it.
    const grpc::ByteBuffer* next = &acks_.front();
    lock.unlock();
    StartWrite(next);
    lock.lock();
  }

  void fail(grpc::Status status) {
    if (failed_) return;
    failed_ = true;
    final_status_ = std::move(status);
  }

  // A message of the peer's that ends the stream: counted, and logged here with the peer (a
  // peer opening stream after stream of garbage is limited to a few lines per 10 s).
  void reject(RejectReason reason, grpc::Status status) {
    if (failed_) return;
    counters_.batches_rejected.fetch_add(1);
    rejects_.count(reason);
    static RateLimitedLog limiter;
    uint64_t suppressed = 0;
    if (limiter.allow(suppressed)) {
      log_->warn(
          "rejected a message of agent '{}' from {} ({}): {}; ending its stream ({} similar "
          "messages suppressed)",
          agent_id_, peer_, reject_reason_name(reason), status.error_message(), suppressed);
    }
    logged_ = true;
    fail(std::move(status));
  }

  // Finishes once nothing of ours is outstanding that could call back into this
  // object from outside gRPC (pending commits, a budget wake). Outstanding reads and writes
  // are fine: gRPC runs their reactions before OnDone. Must be the caller's
  // last use of `this`: after Finish the object may already be gone.
  void finish_if_done(std::unique_lock<std::mutex>& lock) {
    if (finished_ || pending_ > 0 || completing_ > 0) return;
    const bool clean_end = input_closed_ && acks_.empty() && !writing_;
    if (!failed_ && !clean_end) return;
    // A stream waiting for the budget has its wake callback registered: take it back, or, if
    // it is already running, let it arrive (it calls here again) before going away.
    if (waiting_for_budget_) {
      if (!budget_.cancel(budget_ticket_)) return;
      waiting_for_budget_ = false;
    }
    finished_ = true;
    grpc::Status status = failed_ ? final_status_ : grpc::Status::OK;
    if (failed_ && !logged_ && final_status_.error_code() != grpc::StatusCode::CANCELLED) {
      log_->warn("ending stream of agent '{}': {}", agent_id_, final_status_.error_message());
    }
    lock.unlock();
    Finish(status);
  }

  CommitQueue& queue_;
  const uint32_t max_pending_;
  const uint64_t max_message_bytes_;
  PendingBytesBudget& budget_;
  IngestCounters& counters_;
  RejectCounters& rejects_;
  ConnectedAgents& connected_;
  bool counted_ = false;            // in connected_: the stream was let in
  std::optional<StreamSlot> slot_;  // its place under ingest.max_streams_per_identity
  std::shared_ptr<spdlog::logger> log_;
  std::string agent_id_;
  std::string peer_;

  grpc::ByteBuffer incoming_;   // the read in flight's message; OnReadDone's alone
  uint64_t messages_read_ = 0;  // OnReadDone's alone: the number in rejections' messages

  std::mutex mutex_;
  std::deque<grpc::ByteBuffer> acks_;  // encoded Acks, the front one being written
  uint32_t pending_ = 0;               // batches handed to the commit queue, not yet completed
  uint32_t completing_ = 0;            // commit completions running on the writer thread
  bool reading_ = false;
  bool waiting_for_budget_ = false;  // a wake is registered under budget_ticket_
  PendingBytesBudget::Ticket budget_ticket_ = 0;
  bool writing_ = false;
  bool input_closed_ = false;
  bool failed_ = false;
  bool logged_ = false;  // the failure was logged where it happened
  bool finished_ = false;
  grpc::Status final_status_;
};

}  // namespace

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* IngestService::Stream(
    grpc::CallbackServerContext* context) {
  // Owned by gRPC until OnDone, where it deletes itself.
  return new IngestReactor(context, queue_, policy_, limits_, counters_, rejects_,
                           connected_);  // NOLINT(cppcoreguidelines-owning-memory)
}

}  // namespace regwatch::collector::ingest
