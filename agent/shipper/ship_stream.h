#pragma once
// One Ingest stream to the collector (a ClientBidiReactor). It sends batches
// of the spool's stored events as they are (StoredEventBatch: the bytes of an
// EventBatch, with no parse and no serialisation per event; the collector reads
// a typed EventBatch), with the spool's incarnation, strictly one write in
// flight and at most `max_in_flight` unacknowledged batches, and acks the
// spool as the collector's acks arrive. It starts from the spool's acked
// position, so after a reconnect everything unacknowledged is sent again (the
// collector stores each (agent, incarnation, seq) once).
//
// Each ack's counts (stored, duplicates) go to on_ack, with how many of the
// duplicates were not expected: events with seq <= resend_horizon may have
// been sent before (by an earlier stream or agent run), so the collector
// having them is normal; a duplicate beyond those means the collector had
// events this spool never sent it: another spool under the same agent id and
// incarnation, or an archive replayed before. An ack that does not fit the
// oldest batch in flight (InFlightBatches) ends the stream; nothing is
// acknowledged on its word.
//
// Threads: gRPC runs the reactions; pump() is also called by the shipper's
// thread when the spool has new data (hence the hold added in start()).
// Lifetime: owned by the Shipper, which destroys it only after wait_done().
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "agent/shipper/in_flight_batches.h"
#include "agent/shipper/stored_event_batch.pb.h"
#include "agent/spool/spool.h"
#include "common/ingest_message_size.h"
#include "regwatch/v1/ingest.grpc.pb.h"

namespace regwatch::agent::shipper {

// regwatch.v1.Ingest/Stream called with the agent's own request type: StoredEventBatch on the
// way out, the typed Ack back.
using IngestStub = grpc::TemplatedGenericStub<StoredEventBatch, regwatch::v1::Ack>;
// The method's full name, "/regwatch.v1.Ingest/Stream" (from the generated service).
const std::string& ingest_stream_method();

// A batch never exceeds kAgentBatchMaxMessageBytes (the collector accepts at least that): events
// are added until batch_max_bytes is reached, and one event is at most kMaxEventBytes.
struct StreamLimits {
  uint32_t batch_max_events = 1000;  // at most kAgentBatchMaxEvents
  size_t batch_max_bytes = kAgentBatchTargetBytes;
  uint32_t max_in_flight = 8;
};

// Called in a reaction (gRPC's thread): must be quick and must not block.
using AckListener = std::function<void(const AckCounts&)>;

class ShipStream final : public grpc::ClientBidiReactor<StoredEventBatch, regwatch::v1::Ack> {
 public:
  // resend_horizon: the highest seq that may have been sent before this stream.
  ShipStream(spool::Spool& spool, StreamLimits limits, uint64_t resend_horizon = 0,
             AckListener on_ack = {});

  // Metadata must be added to context() before start().
  grpc::ClientContext& context() { return context_; }
  void start(IngestStub& stub);
  // Sends a batch if the window allows and the spool has at least min_events
  // unsent (reactions ask for a full batch; the shipper thread sends what is
  // there once it has lingered). Any thread.
  void pump(size_t min_events = 1);
  // Waits up to `timeout` for a write or an ack to complete (or the end).
  void wait_progress(std::chrono::milliseconds timeout);
  // A batch is being written or awaits its ack.
  bool busy() const;
  // Ends the stream (e.g. at shutdown); OnDone follows.
  void cancel() { context_.TryCancel(); }
  // Blocks until OnDone; returns the final status.
  grpc::Status wait_done();
  bool done() const;
  // Seq of the last spool record read: handed to gRPC, or skipped as unreadable (to know
  // whether the spool has more).
  uint64_t sent_seq() const;
  uint64_t acked_batches() const;
  // How long the collector has owed an ack at `now`: since the oldest batch in flight was sent,
  // or since the last ack when batches are still in flight after it; zero when none is owed.
  // The shipper gives up on a collector whose acks stall (ShipperOptions::ack_timeout).
  std::chrono::steady_clock::duration ack_owed_for(std::chrono::steady_clock::time_point now) const;

  void OnWriteDone(bool ok) override;
  void OnReadDone(bool ok) override;
  void OnDone(const grpc::Status& status) override;

 private:
  spool::Spool& spool_;
  const StreamLimits limits_;
  const uint64_t resend_horizon_;
  const AckListener on_ack_;
  grpc::ClientContext context_;

  mutable std::mutex mutex_;
  std::condition_variable done_cv_;
  StoredEventBatch outgoing_;
  regwatch::v1::Ack incoming_;
  InFlightBatches in_flight_;
  uint64_t next_batch_id_ = 1;
  uint64_t sent_seq_ = 0;
  uint64_t acked_batches_ = 0;
  uint64_t progress_ = 0;  // bumped by every write/ack completion, for wait_progress
  // When the collector began to owe the ack awaited now (valid while in_flight_ is not empty).
  std::chrono::steady_clock::time_point ack_owed_since_;
  bool writing_ = false;
  bool closing_ = false;  // reads failed: no more writes from outside reactions
  bool done_ = false;
  grpc::Status status_;
};

}  // namespace regwatch::agent::shipper
