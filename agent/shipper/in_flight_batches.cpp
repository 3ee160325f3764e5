#include "agent/shipper/in_flight_batches.h"

#include <string>

namespace regwatch::agent::shipper {

Result<AcceptedAck> InFlightBatches::accept(const regwatch::v1::Ack& ack) {
  if (batches_.empty()) {
    return make_error("bad_ack",
                      "ack for batch " + std::to_string(ack.batch_id()) + " with none in flight");
  }
  const SentBatch& oldest = batches_.front();
  if (ack.batch_id() != oldest.batch_id) {
    return make_error("bad_ack", "ack for batch " + std::to_string(ack.batch_id()) +
                                     ", expected batch " + std::to_string(oldest.batch_id) +
                                     " (the collector acks in order)");
  }
  if (ack.last_seq() != oldest.last_seq) {
    return make_error("bad_ack", "ack for batch " + std::to_string(ack.batch_id()) +
                                     " says stored up to seq " + std::to_string(ack.last_seq()) +
                                     ", the batch ends at seq " + std::to_string(oldest.last_seq));
  }
  // Both are 32-bit on the wire: the sum cannot overflow.
  const uint64_t counted = uint64_t{ack.stored()} + uint64_t{ack.duplicates()};
  if (counted != oldest.events) {
    return make_error("bad_ack", "ack for batch " + std::to_string(ack.batch_id()) + " counts " +
                                     std::to_string(ack.stored()) + " stored and " +
                                     std::to_string(ack.duplicates()) +
                                     " duplicates, the batch had " + std::to_string(oldest.events) +
                                     " events");
  }
  AcceptedAck accepted;
  accepted.last_seq = oldest.last_seq;
  accepted.counts.stored = ack.stored();
  accepted.counts.duplicates = ack.duplicates();
  accepted.counts.unexpected_duplicates = accepted.counts.duplicates > oldest.maybe_resent
                                              ? accepted.counts.duplicates - oldest.maybe_resent
                                              : 0;
  batches_.pop_front();
  return accepted;
}

}  // namespace regwatch::agent::shipper
