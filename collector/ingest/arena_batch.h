#pragma once
// ArenaBatch: an EventBatch on a protobuf arena of its own, from the stream that read it to the
// commit queue that stores it. A batch of 1,000 events is thousands of small strings and
// messages; on an arena they are allocated in a few blocks as it is parsed, and freed as those
// blocks when the commit is done, instead of one by one on the commit thread (measured: half
// that thread's time went to freeing batches, on the one lane every event passes).
//
// It can also carry each event's stored payload (serialised and compressed, as the events table
// holds it), made by the stream's thread (prepare_stored_payloads) rather than by the commit
// queue's one writer thread, through which every event passes: measured, that was a third of
// the writer thread's work, and the streams' threads run beside it.
//
// Not movable (the arena owns the message): passed as a std::unique_ptr. One thread at a time.
#include <google/protobuf/arena.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "regwatch/v1/ingest.pb.h"

namespace regwatch::collector::ingest {

class ArenaBatch {
 public:
  ArenaBatch()
      : batch_(google::protobuf::Arena::CreateMessage<regwatch::v1::EventBatch>(&arena_)) {}
  ArenaBatch(const ArenaBatch&) = delete;
  ArenaBatch& operator=(const ArenaBatch&) = delete;

  regwatch::v1::EventBatch& get() { return *batch_; }
  const regwatch::v1::EventBatch& get() const { return *batch_; }
  // What it was parsed from, in bytes (decode_batch sets it).
  void set_wire_bytes(size_t bytes) { wire_bytes_ = bytes; }
  // The memory the batch holds, for the pending-bytes budget, in O(1): the arena's blocks plus
  // the wire size, because protobuf 3.21 gives a string longer than its inline buffer a heap
  // buffer of its own outside the arena, and all the strings' bytes together are at most what
  // came on the wire.
  size_t bytes_in_memory() const {
    return static_cast<size_t>(arena_.SpaceAllocated()) + wire_bytes_ + payload_bytes_;
  }
  // Makes stored_payloads(): encode_stored_payload (collector/store/stored_payload.h) of each
  // event, in order. Call once the batch is complete, before it is submitted.
  void prepare_stored_payloads();
  // Empty until prepared (the writer then makes them itself).
  const std::vector<std::string>& stored_payloads() const { return stored_payloads_; }

 private:
  google::protobuf::Arena arena_;
  regwatch::v1::EventBatch* batch_;  // owned by arena_
  size_t wire_bytes_ = 0;
  std::vector<std::string> stored_payloads_;
  size_t payload_bytes_ = 0;  // their capacities together
};

using ArenaBatchPtr = std::unique_ptr<ArenaBatch>;

}  // namespace regwatch::collector::ingest
