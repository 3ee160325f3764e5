#pragma once
// Cuts one direction's in-order byte stream into SCCP PDUs. Waits for whole
// frames (a PDU split over segments is held, bounded by kMaxPduSize). After an
// impossible length field or a reassembly gap it has lost the frame
// boundaries: it scans forward for bytes that look like a header (sane length,
// known header version, a message id Wireshark knows) and counts what it
// skipped. Pure.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "common/function_ref.h"

namespace regwatch::agent::sccp {

struct FramerCounters {
  uint64_t pdus = 0;
  uint64_t bad_lengths = 0;    // impossible length field: stream desynchronised
  uint64_t resyncs = 0;        // found a plausible header again
  uint64_t skipped_bytes = 0;  // bytes thrown away while resynchronising
};

class PduFramer {
 public:
  // Calls on_pdu for every whole PDU in order.
  void feed(std::span<const uint8_t> bytes, FunctionRef<void(std::span<const uint8_t>)> on_pdu,
            FramerCounters& counters);
  // The stream lost bytes: what is buffered is no longer aligned.
  void lost_sync();
  // Back to a fresh stream.
  void reset() {
    spill_.reset();
    in_sync_ = true;
  }
  size_t buffered() const { return spill_ ? spill_->size() : 0; }
  // Nothing buffered and in sync: a whole PDU fed now would be handed on as it is, so a
  // caller may decode it directly (counting it in FramerCounters::pdus) instead of feeding it.
  bool idle() const { return in_sync_ && !spill_; }

 private:
  bool find_header(FramerCounters& counters);
  std::vector<uint8_t>& buffer();

  // Bytes of a PDU not yet whole, or being scanned for a header. Allocated only while there
  // are some (in sync, it is null exactly when nothing is buffered): most streams only ever
  // see whole PDUs, and a connection's record fits in two cache lines only without it.
  std::unique_ptr<std::vector<uint8_t>> spill_;
  bool in_sync_ = true;
};

}  // namespace regwatch::agent::sccp
