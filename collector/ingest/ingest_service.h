#pragma once
// regwatch.v1.Ingest: one bidirectional stream per agent. Each batch read is
// validated (every event carries the stream's agent id), handed to the
// CommitQueue, and acknowledged only after its transaction committed. Acks go
// out in the order batches arrived (the queue is FIFO and single-threaded).
// A stream keeps at most `max_pending_batches` uncommitted batches; past that
// it stops reading, so a fast agent cannot grow the collector's memory.
#include <atomic>
#include <cstdint>

#include "collector/app/access_policy.h"
#include "collector/ingest/commit_queue.h"
#include "collector/ingest/connected_agents.h"
#include "regwatch/v1/ingest.grpc.pb.h"

namespace regwatch::collector::ingest {

struct IngestCounters {
  std::atomic<uint64_t> streams_opened{0};
  std::atomic<uint64_t> streams_refused{0};
  std::atomic<uint64_t> batches_rejected{0};
  std::atomic<uint64_t> batches_acked{0};
};

class IngestService final : public regwatch::v1::Ingest::CallbackService {
 public:
  // connected: kept up to date as streams open and close; outlives the service.
  IngestService(CommitQueue& queue, const AccessPolicy& policy, uint32_t max_pending_batches,
                ConnectedAgents& connected)
      : queue_(queue),
        policy_(policy),
        max_pending_batches_(max_pending_batches),
        connected_(connected) {}

  grpc::ServerBidiReactor<regwatch::v1::EventBatch, regwatch::v1::Ack>* Stream(
      grpc::CallbackServerContext* context) override;

  const IngestCounters& counters() const { return counters_; }

 private:
  CommitQueue& queue_;
  const AccessPolicy& policy_;
  uint32_t max_pending_batches_;
  IngestCounters counters_;
  ConnectedAgents& connected_;
};

}  // namespace regwatch::collector::ingest
