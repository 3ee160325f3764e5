// One direction of an SCCP stream as raw bytes, cut into segments where the
// input says: the framer must hold or resynchronise, the decoder must name
// every bad PDU, and nothing may read out of bounds. The first byte chooses
// the segment size; a zero byte in the stream position 0 mod 97 simulates a
// reassembly gap.
#include <cstdint>
#include <span>

#include "agent/sccp/pdu_framer.h"
#include "agent/sccp/sccp_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::sccp;
  if (size == 0) return 0;
  const size_t segment = 1 + data[0] % 64;
  PduFramer framer;
  FramerCounters counters;
  for (size_t at = 1; at < size; at += segment) {
    const size_t n = std::min(segment, size - at);
    if (at % 97 == 0 && data[at] == 0) framer.lost_sync();
    framer.feed(
        std::span<const uint8_t>(data + at, n),
        [](std::span<const uint8_t> pdu) {
          auto message = decode_sccp(pdu);
          if (message.ok() && message->size != pdu.size()) __builtin_trap();
        },
        counters);
    if (framer.buffered() > kMaxPduSize + 64) __builtin_trap();  // bounded, whatever comes
  }
  return 0;
}
