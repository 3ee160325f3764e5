#pragma once
// The spool's small state file, replaced atomically (write, fsync, rename):
// what the collector has acknowledged, the highest seq ever assigned (so a seq
// is never reused after everything was acked and deleted), and drop counts.
#include <cstdint>
#include <filesystem>

#include "common/result.h"

namespace regwatch::agent::spool {

struct SpoolState {
  uint64_t acked_seq = 0;
  uint64_t last_seq = 0;
  uint64_t dropped_total = 0;
  uint64_t dropped_reported = 0;
};

// A missing file is a fresh spool (all zeros); a damaged one is an error.
Result<SpoolState> load_state(const std::filesystem::path& file);
Status save_state(const std::filesystem::path& file, const SpoolState& state);

}  // namespace regwatch::agent::spool
