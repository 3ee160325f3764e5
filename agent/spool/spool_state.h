#pragma once
// The spool's small state file, replaced atomically (write, fsync, rename):
// what the collector has acknowledged, the highest seq ever assigned (so a seq
// is never reused after everything was acked and deleted), drop counts, and the
// spool's incarnation.
//
// The incarnation names this spool's numbering of seqs. It is made once, when
// the spool is created, and kept for the spool's life; the collector stores an
// event once per (agent id, incarnation, seq), so a new spool under an agent id
// already in use (a wiped or new spool directory) starts a new numbering
// instead of having its seqs taken for the old spool's resends. A state file
// written before incarnations existed has none: incarnation "" (the old rule,
// unique by agent id and seq). An agent older than this one refuses a state
// file that has an incarnation line (it reports the file as damaged).
#include <cstdint>
#include <filesystem>
#include <string>

#include "common/result.h"

namespace regwatch::agent::spool {

struct SpoolState {
  uint64_t acked_seq = 0;
  uint64_t last_seq = 0;
  uint64_t dropped_total = 0;
  uint64_t dropped_reported = 0;
  std::string incarnation;  // "" = a spool from before incarnations
};

// A missing file is a fresh spool (all zeros, no incarnation); a damaged one is
// an error.
Result<SpoolState> load_state(const std::filesystem::path& file);
Status save_state(const std::filesystem::path& file, const SpoolState& state);

// A new incarnation: 128 bits from the kernel's random source, as 32 lowercase
// hex digits. Random rather than a counter or a time, because nothing of the
// old spool survives to count from, and clocks repeat.
Result<std::string> new_incarnation();

}  // namespace regwatch::agent::spool
