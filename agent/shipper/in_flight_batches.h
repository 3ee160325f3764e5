#pragma once
// InFlightBatches: the batches a ship stream has sent and the collector has not yet
// acknowledged, and the one rule for taking an ack from the collector.
//
// The collector acknowledges batches in the order they were sent, each only once it is
// committed (proto/regwatch/v1/ingest.proto). An ack is the agent's licence to delete
// spooled events, so one that does not fit the oldest batch in flight exactly (another
// batch id, another last seq, counts that do not add up to the batch's events) is a
// protocol error: nothing is acknowledged and the caller ends the stream, so the events
// are sent again on the next one rather than lost on a buggy or hostile collector's word.
//
// Pure bookkeeping, no I/O, not thread-safe (ShipStream holds its lock around it).
#include <cstdint>
#include <deque>
#include <string>

#include "common/result.h"
#include "regwatch/v1/ingest.pb.h"

namespace regwatch::agent::shipper {

// One ack's counts. unexpected_duplicates <= duplicates.
struct AckCounts {
  uint64_t stored = 0;
  uint64_t duplicates = 0;
  uint64_t unexpected_duplicates = 0;
};

// What an accepted ack allows: everything up to last_seq may leave the spool.
struct AcceptedAck {
  uint64_t last_seq = 0;
  AckCounts counts;
};

struct SentBatch {
  uint64_t batch_id = 0;
  uint64_t last_seq = 0;      // highest seq in the batch
  uint64_t events = 0;        // how many events it carried (> 0)
  uint64_t maybe_resent = 0;  // of which may have been sent before (a duplicate is expected)
};

class InFlightBatches {
 public:
  void sent(const SentBatch& batch) { batches_.push_back(batch); }
  size_t size() const { return batches_.size(); }
  bool empty() const { return batches_.empty(); }

  // Takes the ack for the oldest batch in flight, or refuses it with a message that says
  // what did not fit (error code "bad_ack"); a refused ack changes nothing.
  Result<AcceptedAck> accept(const regwatch::v1::Ack& ack);

 private:
  std::deque<SentBatch> batches_;
};

}  // namespace regwatch::agent::shipper
