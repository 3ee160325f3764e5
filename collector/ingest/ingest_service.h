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
// - one message is at most ingest.max_message_bytes (gRPC's receive limit,
//   set on the server).
#include <atomic>
#include <cstdint>

#include "collector/auth/access_policy.h"
#include "collector/ingest/commit_queue.h"
#include "collector/ingest/connected_agents.h"
#include "collector/ingest/pending_bytes_budget.h"
#include "collector/ingest/stream_limiter.h"
#include "regwatch/v1/ingest.grpc.pb.h"

namespace regwatch::collector::ingest {

struct IngestCounters {
  std::atomic<uint64_t> streams_opened{0};
  std::atomic<uint64_t> streams_refused{0};     // by access policy or stream limit
  std::atomic<uint64_t> streams_over_limit{0};  // of which by the stream limit
  std::atomic<uint64_t> batches_rejected{0};
  std::atomic<uint64_t> batches_acked{0};
};

// The limiter and the budget outlive the service (and its streams).
struct IngestLimits {
  uint32_t max_pending_batches;
  StreamLimiter& streams;
  PendingBytesBudget& pending_bytes;
};

class IngestService final : public regwatch::v1::Ingest::CallbackService {
 public:
  // connected: kept up to date as streams open and close; outlives the service.
  IngestService(CommitQueue& queue, const AccessPolicy& policy, IngestLimits limits,
                ConnectedAgents& connected)
      : queue_(queue), policy_(policy), limits_(limits), connected_(connected) {}

  grpc::ServerBidiReactor<regwatch::v1::EventBatch, regwatch::v1::Ack>* Stream(
      grpc::CallbackServerContext* context) override;

  const IngestCounters& counters() const { return counters_; }

 private:
  CommitQueue& queue_;
  const AccessPolicy& policy_;
  IngestLimits limits_;
  IngestCounters counters_;
  ConnectedAgents& connected_;
};

}  // namespace regwatch::collector::ingest
