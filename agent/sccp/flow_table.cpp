#include "agent/sccp/flow_table.h"

namespace regwatch::agent::sccp {

uint32_t FlowTable::find(const ConnectionKey& key) const {
  if (entries_.empty()) return kAbsent;
  const uint64_t hash = ConnectionKeyHash{}(key);
  const size_t mask = entries_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Entry& e = entries_[i];
    if (e.value == kAbsent) return kAbsent;
    if (e.hash == hash && e.key == key) return e.value;
  }
}

void FlowTable::insert(const ConnectionKey& key, uint32_t value) {
  if ((size_ + 1) * 2 > entries_.size()) grow();  // at most half full: short probes
  const uint64_t hash = ConnectionKeyHash{}(key);
  const size_t mask = entries_.size() - 1;
  size_t i = hash & mask;
  while (entries_[i].value != kAbsent) i = (i + 1) & mask;
  entries_[i] = Entry{hash, key, value};
  ++size_;
}

void FlowTable::erase(const ConnectionKey& key) {
  if (entries_.empty()) return;
  const uint64_t hash = ConnectionKeyHash{}(key);
  const size_t mask = entries_.size() - 1;
  size_t i = hash & mask;
  while (true) {
    if (entries_[i].value == kAbsent) return;
    if (entries_[i].hash == hash && entries_[i].key == key) break;
    i = (i + 1) & mask;
  }
  // Backward shift: pull later entries of the same probe run into the hole.
  size_t hole = i;
  for (size_t j = (hole + 1) & mask; entries_[j].value != kAbsent; j = (j + 1) & mask) {
    const size_t home = entries_[j].hash & mask;
    const bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      entries_[hole] = entries_[j];
      hole = j;
    }
  }
  entries_[hole] = Entry{};
  --size_;
}

void FlowTable::grow() {
  std::vector<Entry> old = std::move(entries_);
  entries_.assign(old.empty() ? 1024 : old.size() * 2, Entry{});
  size_ = 0;
  for (const Entry& e : old) {
    if (e.value != kAbsent) insert(e.key, e.value);
  }
}

}  // namespace regwatch::agent::sccp
