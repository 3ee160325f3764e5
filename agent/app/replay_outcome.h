#pragma once
// The end of a replay: what the collector's acks said against what the replay
// read, and the exit code that follows. A pure function, so the rule is
// tested apart from processes.
//
// The rule (docs/decisions.md, "A replay's verdict"):
// - everything read was stored (duplicates only of this run's own resends):
//   success;
// - the spool dropped events: not all stored, whatever else;
// - duplicates under the archive's own identity (agent id from its SHA-256):
//   they can only be this archive's events, stored by an earlier replay of it
//   (whole: "already stored"; part: an interrupted one now completed):
//   success, saying so;
// - duplicates under an id given with --replay-agent-id: they may be another
//   archive's events, which the collector kept instead of these: not all
//   stored, unless --allow-duplicates.
#include <cstdint>
#include <string>

namespace regwatch::agent {

struct ReplayTally {
  uint64_t read = 0;                   // events the replay made from its files
  uint64_t spool_dropped = 0;          // of those, dropped by a full spool
  uint64_t stored = 0;                 // newly stored, from the acks
  uint64_t duplicates = 0;             // already stored, from the acks
  uint64_t unexpected_duplicates = 0;  // of those, not resends of this run's own
};

struct ReplayVerdict {
  bool all_stored = false;  // false: the replay exits kExitNotAllStored
  std::string message;      // one or two lines for the operator
};

ReplayVerdict judge_replay(const ReplayTally& tally, const std::string& agent_id,
                           bool identity_from_content, bool allow_duplicates);

}  // namespace regwatch::agent
