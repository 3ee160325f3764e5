#pragma once
// regwatch.v1.Ingest: one bidirectional stream per agent. Each batch read is
// validated (every event carries the stream's agent id), handed to the
// CommitQueue, and acknowledged only after its transaction committed. Acks go
// out in the order batches arrived (the queue is FIFO and single-threaded).
// Limits, so that no client can grow the collector's memory without bound:
// - a stream keeps at most `max_pending_batches` uncommitted batches; past that
//   it stops reading;
// - all streams together keep at most the PendingBytesBudget's bytes of
//   uncommitted batches; past that every stream stops reading until commits
//   free room (backpressure: the agents wait, nothing is refused);
// - one caller identity (token, certificate or anonymous agent id) holds at
//   most the StreamLimiter's streams; one more is refused, RESOURCE_EXHAUSTED;
// - one message is at most ingest.max_message_bytes, checked here on every message
//   (gRPC's own receive limit is off: gRPC 1.51 reads a message whole before its limit
//   applies, so it bounded no memory, and its refusal could not be counted).
// Bad input from a peer: a message over the size limit (RESOURCE_EXHAUSTED), one that is not
// an EventBatch (INVALID_ARGUMENT; ingest_message.h tells it from the end of the stream), or
// one whose events break a rule (INVALID_ARGUMENT: another agent's events, seqs not ascending)
// ends its stream with a status saying what failed, stores nothing of it, is counted in
// regwatch_ingest_batches_rejected_total{reason} and logged with the peer and agent id
// (rate-limited).
#include <atomic>
#include <cstdint>
#include <string_view>

#include "collector/auth/access_policy.h"
#include "collector/ingest/commit_queue.h"
#include "collector/ingest/connected_agents.h"
#include "collector/ingest/pending_bytes_budget.h"
#include "collector/ingest/stream_limiter.h"
#include "common/ingest_message_size.h"
#include "common/metrics/registry.h"
#include "regwatch/v1/ingest.grpc.pb.h"

namespace regwatch::collector::ingest {

struct IngestCounters {
  std::atomic<uint64_t> streams_opened{0};
  std::atomic<uint64_t> streams_refused{0};     // by access policy or stream limit
  std::atomic<uint64_t> streams_over_limit{0};  // of which by the stream limit
  std::atomic<uint64_t> batches_rejected{0};    // for any RejectReason
  std::atomic<uint64_t> batches_acked{0};
};

// Why a message ended its stream unstored: regwatch_ingest_batches_rejected_total's `reason`.
enum class RejectReason { kUnparsable, kTooLarge, kInvalid };
std::string_view reject_reason_name(RejectReason reason);

// The limiter and the budget outlive the service (and its streams).
struct IngestLimits {
  uint32_t max_pending_batches;
  StreamLimiter& streams;
  PendingBytesBudget& pending_bytes;
  uint64_t max_message_bytes = kDefaultIngestMaxMessageBytes;  // ingest.max_message_bytes
};

// regwatch_ingest_batches_rejected_total's children, looked up once.
class RejectCounters {
 public:
  explicit RejectCounters(metrics::Registry& registry);
  void count(RejectReason reason);

 private:
  metrics::Counter& unparsable_;
  metrics::Counter& too_large_;
  metrics::Counter& invalid_;
};

// The Stream method is served raw (bytes in, bytes out; the same wire messages as the typed
// method, so agents see no difference): ingest_message.h says why.
class IngestService final
    : public regwatch::v1::Ingest::WithRawCallbackMethod_Stream<regwatch::v1::Ingest::Service> {
 public:
  // connected: kept up to date as streams open and close; outlives the service. registry:
  // where the rejection counter lives (tests pass their own).
  IngestService(CommitQueue& queue, const AccessPolicy& policy, IngestLimits limits,
                ConnectedAgents& connected,
                metrics::Registry& registry = metrics::default_registry())
      : queue_(queue),
        policy_(policy),
        limits_(limits),
        connected_(connected),
        rejects_(registry) {}

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Stream(
      grpc::CallbackServerContext* context) override;

  const IngestCounters& counters() const { return counters_; }

 private:
  CommitQueue& queue_;
  const AccessPolicy& policy_;
  IngestLimits limits_;
  IngestCounters counters_;
  ConnectedAgents& connected_;
  RejectCounters rejects_;
};

}  // namespace regwatch::collector::ingest
