#pragma once
// EventSink: where the collector's commit queue puts events, whatever the database.
// The SQLite implementation is EventWriter (event_writer.h); a second backend (PostgreSQL,
// later) implements this and EventSource and is opened by open_store_backend()
// (store_backend.h).
//
// Contract every implementation keeps:
// - Exactly once: an event whose (agent_id, spool incarnation, seq) is stored already (a
//   resend) stores nothing and is counted as a duplicate.
// - A batch is all or nothing, and durable when insert_batch returns: the caller acks it and
//   the agent deletes its copy.
// - It keeps who sends live events (the sources table's role) in the batch's transaction.
// - One thread uses a sink (the commit queue's); it is not thread-safe.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::collector::store {

class EventSink {
 public:
  struct InsertOutcome {
    uint32_t stored = 0;
    uint32_t duplicates = 0;
  };

  virtual ~EventSink() = default;

  // All rows or none; on error (e.g. "disk_full") nothing of the batch is stored.
  // spool_incarnation: the sending spool's, for every event of the batch.
  virtual Result<InsertOutcome> insert_batch(std::span<const regwatch::v1::Event> events,
                                             int64_t store_time_us,
                                             std::string_view spool_incarnation = {}) = 0;
  // The same for events as they arrive in an EventBatch (no copy). stored_payloads: empty, or
  // each event's stored payload (encode_stored_payload, stored_payload.h) in the same order,
  // made by the caller on another thread so that the one writer thread need not.
  virtual Result<InsertOutcome> insert_batch(
      const google::protobuf::RepeatedPtrField<regwatch::v1::Event>& events, int64_t store_time_us,
      std::string_view spool_incarnation = {},
      std::span<const std::string> stored_payloads = {}) = 0;
  // Retention: deletes at most max_rows events stored before the cutoff, oldest first;
  // returns how many (max_rows means more may be left).
  virtual Result<uint64_t> prune_stored_before(int64_t cutoff_store_time_us, uint32_t max_rows) = 0;
  // The schema version the store is at once opened (for the collector's start-up log).
  virtual int schema_version() const = 0;
};

}  // namespace regwatch::collector::store
