#pragma once
// Connection 4-tuple -> slot, with open addressing (linear probing, backward-shift deletion).
//
// An entry is 8 bytes: a 32-bit hash tag and the slot. The key itself stays with its owner
// (the caller's per-slot record, which the packet path reads next anyway), and lookups check
// it through key_of(slot). At 100,000 connections the whole table is 2 MiB and mostly stays
// in cache; with full keys inline it was 14 MiB and every packet paid a memory miss.
#include <cstdint>
#include <vector>

#include "agent/sccp/phone_tracker.h"

namespace regwatch::agent::sccp {

class FlowTable {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  // key_of(slot) returns the key stored for that slot: const ConnectionKey&.
  template <class KeyOf>
  uint32_t find(const ConnectionKey& key, const KeyOf& key_of) const {
    const size_t at = position(key, key_of);
    return at == kNowhere ? kAbsent : entries_[at].value;
  }
  // The same lookup for a caller that has the key's hash (ConnectionKeyHash) but not the key
  // itself: matches(slot) says whether the key stored for that slot is the one looked for.
  template <class Matches>
  uint32_t find_hashed(size_t key_hash, const Matches& matches) const {
    const size_t at = position_of(tag_from(key_hash), matches);
    return at == kNowhere ? kAbsent : entries_[at].value;
  }
  // key must not be present.
  void insert(const ConnectionKey& key, uint32_t value);
  template <class KeyOf>
  void erase(const ConnectionKey& key, const KeyOf& key_of) {
    if (const size_t at = position(key, key_of); at != kNowhere) erase_at(at);
  }
  size_t size() const { return size_; }

 private:
  static constexpr size_t kNowhere = SIZE_MAX;
  struct Entry {
    uint32_t tag = 0;
    uint32_t value = kAbsent;  // kAbsent: the entry is free
  };
  static uint32_t tag_from(uint64_t key_hash) { return static_cast<uint32_t>(key_hash >> 32); }
  static uint32_t tag_of(const ConnectionKey& key) { return tag_from(ConnectionKeyHash{}(key)); }
  template <class KeyOf>
  size_t position(const ConnectionKey& key, const KeyOf& key_of) const {
    return position_of(tag_of(key), [&](uint32_t slot) { return key_of(slot) == key; });
  }
  template <class Matches>
  size_t position_of(uint32_t tag, const Matches& matches) const {
    if (entries_.empty()) return kNowhere;
    for (size_t i = tag & mask_;; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.value == kAbsent) return kNowhere;
      if (e.tag == tag && matches(e.value)) return i;
    }
  }
  void place(uint32_t tag, uint32_t value);
  void erase_at(size_t at);
  void grow();

  std::vector<Entry> entries_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace regwatch::agent::sccp
