#include "agent/capture/flow_table.h"

namespace regwatch::agent::capture {

void FlowIndex::insert_hashed(size_t key_hash, uint32_t value) {
  if ((size_ + 1) * 2 > entries_.size()) grow();  // at most half full: short probes
  place(tag_from(key_hash), value);
  ++size_;
}

void FlowIndex::place(uint32_t tag, uint32_t value) {
  size_t i = tag & mask_;
  while (entries_[i].value != kAbsent) i = (i + 1) & mask_;
  entries_[i] = Entry{tag, value};
}

void FlowIndex::erase_at(size_t at) {
  // Backward shift: pull later entries of the same probe run into the hole.
  size_t hole = at;
  for (size_t j = (hole + 1) & mask_; entries_[j].value != kAbsent; j = (j + 1) & mask_) {
    const size_t home = entries_[j].tag & mask_;
    const bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      entries_[hole] = entries_[j];
      hole = j;
    }
  }
  entries_[hole] = Entry{};
  --size_;
}

void FlowIndex::grow() {
  std::vector<Entry> old = std::move(entries_);
  entries_.assign(old.empty() ? 1024 : old.size() * 2, Entry{});
  mask_ = entries_.size() - 1;
  for (const Entry& e : old) {
    if (e.value != kAbsent) place(e.tag, e.value);
  }
}

}  // namespace regwatch::agent::capture
