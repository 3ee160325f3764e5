#include "collector/ingest/arena_batch.h"

#include "collector/store/stored_payload.h"

namespace regwatch::collector::ingest {

void ArenaBatch::prepare_stored_payloads() {
  const auto& events = batch_->events();
  stored_payloads_.resize(static_cast<size_t>(events.size()));
  payload_bytes_ = stored_payloads_.capacity() * sizeof(std::string);
  // Made in a buffer as large as zstd's bound, then copied at its own size: a batch held in the
  // queue keeps what it stores, not the bound, for each event.
  thread_local std::string scratch;
  for (int i = 0; i < events.size(); ++i) {
    store::encode_stored_payload(events[i], scratch);
    std::string& payload = stored_payloads_[static_cast<size_t>(i)];
    payload.assign(scratch);
    payload_bytes_ += payload.capacity();
  }
}

}  // namespace regwatch::collector::ingest
