#pragma once
// Loading a connection's records ahead of its packet (see keepalive_schedule.h).
//
// A prefetch with write intent: every line preloaded is written by the packet that reads it
// (the stream's sequence number, the phone's keepalive times). Measured here (AMD EPYC guest,
// docs/performance.md), a prefetch beats a real load whose value is dropped: the load holds
// up retirement until the line comes, and a dozen of them at once stall the packets behind
// them, while the prefetch lets them run. (An earlier version loaded the first line of each
// record for its page walk; with records loaded in the order their keepalives are due, the
// prefetch is faster with the records in that order and in a shuffled order alike.)
namespace regwatch::agent::capture {

inline void prefetch(const void* p) {
  __builtin_prefetch(p, 1);
}

}  // namespace regwatch::agent::capture
