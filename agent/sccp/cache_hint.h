#pragma once
// Loading a connection's records ahead of its packet (see keepalive_schedule.h).
//
// touch() is a real load whose value is dropped: measured here (AMD EPYC guest, 100,000
// connections), __builtin_prefetch of a flow-table entry left the later lookup stalling as
// before, most likely because a prefetch that misses the TLB is discarded, while a load walks
// the page table and, issued for many connections in one loop, overlaps its misses.
// prefetch() is the plain hint, for lines on a page that touch() has already brought in.
#include <cstddef>

namespace regwatch::agent::sccp {

inline void touch(const void* p) {
  static_cast<void>(*static_cast<const volatile char*>(p));
}

inline void prefetch(const void* p) {
  __builtin_prefetch(p);
}

}  // namespace regwatch::agent::sccp
