#include "agent/shipper/ship_stream.h"

#include "agent/spool/spool_record.h"
#include "common/logging.h"

namespace regwatch::agent::shipper {

// What the collector's message size limit relies on (common/ingest_message_size.h).
static_assert(spool::kMaxRecordPayloadBytes <= kMaxEventBytes);

const std::string& ingest_stream_method() {
  static const std::string kMethod =
      "/" + std::string(regwatch::v1::Ingest::service_full_name()) + "/Stream";
  return kMethod;
}

ShipStream::ShipStream(spool::Spool& spool, StreamLimits limits, uint64_t resend_horizon,
                       AckListener on_ack)
    : spool_(spool), limits_(limits), resend_horizon_(resend_horizon), on_ack_(std::move(on_ack)) {
  sent_seq_ = spool_.acked_seq();
}

void ShipStream::start(IngestStub& stub) {
  stub.PrepareBidiStreamingCall(&context_, ingest_stream_method(), grpc::StubOptions(), this);
  StartRead(&incoming_);
  // Writes also start from the shipper thread (new spool data), outside any
  // reaction: the hold keeps the stream from completing under us.
  AddHold();
  StartCall();
  pump();
}

void ShipStream::pump(size_t min_events) {
  std::unique_lock lock(mutex_);
  if (writing_ || closing_ || in_flight_.size() >= limits_.max_in_flight) return;
  if (spool_.last_seq() < sent_seq_ + std::max<size_t>(min_events, 1)) return;
  // The stored bytes go into the batch as they are: no Event is parsed or serialised here.
  outgoing_.Clear();  // keeps the strings' buffers for the next batch
  uint64_t maybe_resent = 0;
  uint64_t last_seq = 0;
  const uint64_t read_to = spool_.read_stored_after(
      sent_seq_, std::min<size_t>(limits_.batch_max_events, kAgentBatchMaxEvents),
      std::min(limits_.batch_max_bytes, kAgentBatchTargetBytes),
      [&](uint64_t seq, std::string_view event) {
        maybe_resent += seq <= resend_horizon_ ? 1 : 0;
        outgoing_.add_events(event.data(), event.size());
        last_seq = seq;
      });
  // Records the spool skipped as unreadable (counted and reported there) are not read again.
  sent_seq_ = std::max(sent_seq_, read_to);
  if (outgoing_.events().empty()) return;
  outgoing_.set_batch_id(next_batch_id_++);
  outgoing_.set_spool_incarnation(spool_.incarnation());
  if (in_flight_.empty()) ack_owed_since_ = std::chrono::steady_clock::now();
  in_flight_.sent({outgoing_.batch_id(), last_seq, static_cast<uint64_t>(outgoing_.events_size()),
                   maybe_resent});
  writing_ = true;
  lock.unlock();
  StartWrite(&outgoing_);
}

void ShipStream::OnWriteDone(bool ok) {
  {
    std::lock_guard lock(mutex_);
    writing_ = false;
    ++progress_;
    done_cv_.notify_all();
    if (!ok) return;  // the stream is broken; OnReadDone(false) and OnDone follow
  }
  pump(limits_.batch_max_events);
}

void ShipStream::wait_progress(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  const uint64_t seen = progress_;
  done_cv_.wait_for(lock, timeout, [&] { return done_ || progress_ != seen; });
}

bool ShipStream::busy() const {
  std::lock_guard lock(mutex_);
  return writing_ || !in_flight_.empty();
}

void ShipStream::OnReadDone(bool ok) {
  if (!ok) {
    bool release = false;
    {
      std::lock_guard lock(mutex_);
      release = !closing_;
      closing_ = true;
    }
    // No more writes from outside reactions: let the stream finish. Outside the
    // lock, because OnDone may run inline and takes it.
    if (release) RemoveHold();
    return;
  }
  AcceptedAck accepted;
  {
    std::unique_lock lock(mutex_);
    auto taken = in_flight_.accept(incoming_);
    if (!taken.ok()) {
      // Nothing is acknowledged: the batch stays spooled and goes again on the next stream.
      component_logger("agent.shipper")
          ->error("collector sent a bad ack: {}; reconnecting", taken.error().message);
      // No read follows, so the hold goes here (else the stream never completes and shipping
      // stops for good): the shipper sees the cancelled stream end and reconnects.
      const bool release = !closing_;
      closing_ = true;
      lock.unlock();
      context_.TryCancel();
      if (release) RemoveHold();
      return;
    }
    accepted = *taken;
    // The next batch's ack is owed from now: a collector that commits in turn is not stalled.
    ack_owed_since_ = std::chrono::steady_clock::now();
    ++acked_batches_;
    ++progress_;
    done_cv_.notify_all();
  }
  // Counted before the spool moves on, so whoever waits for the acked seq sees these counts.
  if (on_ack_) on_ack_(accepted.counts);
  spool_.ack(accepted.last_seq);
  StartRead(&incoming_);
  pump(limits_.batch_max_events);
}

void ShipStream::OnDone(const grpc::Status& status) {
  std::lock_guard lock(mutex_);
  status_ = status;
  done_ = true;
  done_cv_.notify_all();
}

grpc::Status ShipStream::wait_done() {
  std::unique_lock lock(mutex_);
  done_cv_.wait(lock, [&] { return done_; });
  return status_;
}

bool ShipStream::done() const {
  std::lock_guard lock(mutex_);
  return done_;
}

uint64_t ShipStream::sent_seq() const {
  std::lock_guard lock(mutex_);
  return sent_seq_;
}

std::chrono::steady_clock::duration ShipStream::ack_owed_for(
    std::chrono::steady_clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (in_flight_.empty()) return std::chrono::steady_clock::duration::zero();
  return now - ack_owed_since_;
}

uint64_t ShipStream::acked_batches() const {
  std::lock_guard lock(mutex_);
  return acked_batches_;
}

}  // namespace regwatch::agent::shipper
