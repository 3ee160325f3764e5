#include "agent/sccp/keepalive_schedule.h"

namespace regwatch::agent::sccp {

void KeepAliveSchedule::expect(uint32_t slot, uint32_t hint, int64_t due_us) {
  const int64_t tick = due_us / kResolutionUs;
  if (!started_ || tick < cursor_ || tick >= cursor_ + int64_t{kBuckets} || slot >= kEnd) return;
  if (slot >= slots_.size()) slots_.resize(size_t{slot} + 1);
  Waiting& w = slots_[slot];
  if (w.next != kIdle) return;  // still waiting: keeps its earlier due time
  uint32_t& head = heads_[bucket_of(tick)];
  w.next = head;
  w.hint = hint;
  head = slot;
}

}  // namespace regwatch::agent::sccp
