#pragma once
// Connection 4-tuple -> slot, with open addressing (linear probing, hashes
// stored inline, backward-shift deletion): one cache line per lookup on the
// per-packet path, where a node-based map costs two or three misses.
#include <cstdint>
#include <vector>

#include "agent/sccp/phone_tracker.h"

namespace regwatch::agent::sccp {

class FlowTable {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  uint32_t find(const ConnectionKey& key) const;
  // key must not be present.
  void insert(const ConnectionKey& key, uint32_t value);
  void erase(const ConnectionKey& key);
  size_t size() const { return size_; }

 private:
  struct Entry {
    uint64_t hash = 0;
    ConnectionKey key;
    uint32_t value = kAbsent;  // kAbsent: the entry is free
  };
  void grow();

  std::vector<Entry> entries_;
  size_t size_ = 0;
};

}  // namespace regwatch::agent::sccp
