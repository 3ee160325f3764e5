#pragma once
// When each connection's next KeepAlive is due, so that the analyzer can start loading its
// records into the cache shortly before the packet comes.
//
// Why: at 100,000 connections a KeepAlive's flow-table entry and records have left the cache
// (the phone was last heard one interval ago), and that memory access was the largest single
// cost of a packet. But a phone keeps alive on its own timer, every interval the CM gave it:
// which connections speak next is known from their last KeepAlive.
//
// A hint only: a wrong or missing prediction costs a wasted prefetch, never a different
// result. Due times go into buckets of kResolutionUs on a wheel of kBuckets (a 67 s horizon;
// CUCM's intervals are 30-60 s); one past the horizon or already past is not recorded, and a
// connection still waiting keeps its earlier due time. Packet time going back is ignored; a
// jump forward empties at most one turn of the wheel.
//
// Memory: 8 bytes per slot and 4 per bucket (128 KiB). Pure; threads: none, one owner.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace regwatch::agent::sccp {

class KeepAliveSchedule {
 public:
  // Fine enough that what is loaded a bucket or two ahead is still in L1 when its packet comes
  // (the earlier 16 ms buckets, read 32 ms ahead, cost about 5 ns a packet more at 100,000
  // connections).
  static constexpr int64_t kResolutionUs = 2'048;
  static constexpr uint32_t kBuckets = 32'768;

  // slot's next KeepAlive is due at due_us (packet time); hint is handed back with it.
  void expect(uint32_t slot, uint32_t hint, int64_t due_us) {
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
  // Calls due(slot, hint) once for every slot expected up to until_us, and forgets it.
  template <class Due>
  void take_until(int64_t until_us, const Due& due);

 private:
  static constexpr uint32_t kEnd = UINT32_MAX - 1;  // the last in its bucket
  static constexpr uint32_t kIdle = UINT32_MAX;     // in no bucket
  struct Waiting {
    uint32_t next = kIdle;  // the next slot in the same bucket, kEnd, or kIdle
    uint32_t hint = 0;
  };
  static size_t bucket_of(int64_t tick) { return static_cast<uint64_t>(tick) % kBuckets; }

  std::vector<uint32_t> heads_ = std::vector<uint32_t>(kBuckets, kEnd);
  std::vector<Waiting> slots_;
  bool started_ = false;
  int64_t cursor_ = 0;  // the first tick (due_us / kResolutionUs) not yet taken
};

template <class Due>
void KeepAliveSchedule::take_until(int64_t until_us, const Due& due) {
  const int64_t last = until_us / kResolutionUs;
  if (!started_) {
    started_ = true;
    cursor_ = last + 1;
    return;
  }
  if (last < cursor_) return;
  const int64_t end = std::min(last + 1, cursor_ + int64_t{kBuckets});
  for (int64_t tick = cursor_; tick < end; ++tick) {
    // The bucket's list is detached first and nothing is referenced across due(), so due may
    // even call expect().
    for (uint32_t slot = std::exchange(heads_[bucket_of(tick)], kEnd); slot != kEnd;) {
      const uint32_t taken = slot;
      const uint32_t hint = slots_[slot].hint;
      slot = std::exchange(slots_[slot].next, kIdle);
      due(taken, hint);
    }
  }
  cursor_ = last + 1;
}

}  // namespace regwatch::agent::sccp
