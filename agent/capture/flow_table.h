#pragma once
// Flow key -> slot, with open addressing (linear probing, backward-shift deletion), for any
// analyzer's connection or flow key: Key needs operator==, Hash a 64-bit mix of it
// (size_t operator()(const Key&)).
//
// An entry is 8 bytes: a 32-bit hash tag and the slot. The key itself stays with its owner
// (the caller's per-slot record, which the packet path reads next anyway), and lookups check
// it through key_of(slot). At 100,000 connections the whole table is 2 MiB and mostly stays
// in cache; with full keys inline it was 14 MiB and every packet paid a memory miss.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace regwatch::agent::capture {

// The key-independent part: tags and slots. Not used alone; see FlowTable below.
class FlowIndex {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  // matches(slot) says whether the key stored for that slot is the one whose hash this is.
  template <class Matches>
  uint32_t find_hashed(size_t key_hash, const Matches& matches) const {
    const size_t at = position_of(tag_from(key_hash), matches);
    return at == kNowhere ? kAbsent : entries_[at].value;
  }
  // The key must not be present.
  void insert_hashed(size_t key_hash, uint32_t value);
  template <class Matches>
  void erase_hashed(size_t key_hash, const Matches& matches) {
    if (const size_t at = position_of(tag_from(key_hash), matches); at != kNowhere) erase_at(at);
  }
  size_t size() const { return size_; }

 private:
  static constexpr size_t kNowhere = SIZE_MAX;
  struct Entry {
    uint32_t tag = 0;
    uint32_t value = kAbsent;  // kAbsent: the entry is free
  };
  static uint32_t tag_from(uint64_t key_hash) { return static_cast<uint32_t>(key_hash >> 32); }
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

template <class Key, class Hash>
class FlowTable {
 public:
  static constexpr uint32_t kAbsent = FlowIndex::kAbsent;

  // key_of(slot) returns the key stored for that slot: const Key&.
  template <class KeyOf>
  uint32_t find(const Key& key, const KeyOf& key_of) const {
    return index_.find_hashed(Hash{}(key), [&](uint32_t slot) { return key_of(slot) == key; });
  }
  // The same lookup for a caller that has the key's hash (Hash) but not the key itself:
  // matches(slot) says whether the key stored for that slot is the one looked for.
  template <class Matches>
  uint32_t find_hashed(size_t key_hash, const Matches& matches) const {
    return index_.find_hashed(key_hash, matches);
  }
  // key must not be present.
  void insert(const Key& key, uint32_t value) { index_.insert_hashed(Hash{}(key), value); }
  template <class KeyOf>
  void erase(const Key& key, const KeyOf& key_of) {
    index_.erase_hashed(Hash{}(key), [&](uint32_t slot) { return key_of(slot) == key; });
  }
  size_t size() const { return index_.size(); }

 private:
  FlowIndex index_;
};

}  // namespace regwatch::agent::capture
