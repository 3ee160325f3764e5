#include "agent/app/replay_outcome.h"

#include "agent/app/replay_identity.h"

namespace regwatch::agent {

ReplayVerdict judge_replay(const ReplayTally& tally, const std::string& agent_id,
                           bool identity_from_content, bool allow_duplicates) {
  const auto n = [](uint64_t value) { return std::to_string(value); };
  const uint64_t before = tally.unexpected_duplicates;  // stored before this replay began
  ReplayVerdict verdict;
  if (tally.spool_dropped > 0) {
    // Duplicates cannot be allowed away here: these events never reached the collector.
    verdict.message =
        "NOT all stored: the spool dropped " + n(tally.spool_dropped) + " of " + n(tally.read) +
        " events (raise --spool-max-size, then replay again with a new --replay-agent-id: "
        "after a drop the seqs no longer match the archive's positions)";
    return verdict;
  }
  if (before == 0) {
    verdict.all_stored = true;
    verdict.message = "stored all " + n(tally.read) + " events under agent id " + agent_id;
    if (tally.duplicates > 0)
      verdict.message += " (" + n(tally.duplicates) + " resent after a reconnect)";
    return verdict;
  }
  if (identity_from_content) {
    verdict.all_stored = true;
    verdict.message =
        before >= tally.read
            ? "already stored: this archive was replayed before under agent id " + agent_id +
                  "; all " + n(tally.read) + " events were stored then, none now"
            : "completed an earlier, interrupted replay of this archive under agent id " +
                  agent_id + ": " + n(before) + " events were stored then, the other " +
                  n(tally.read - before) + " now";
    verdict.message += " (to load it again as a separate copy, give a new --replay-agent-id)";
    return verdict;
  }
  verdict.all_stored = allow_duplicates;
  verdict.message = std::string(allow_duplicates ? "" : "NOT all stored: ") + n(before) + " of " +
                    n(tally.read) + " events were already stored under agent id " + agent_id +
                    " (incarnation " + kReplaySpoolIncarnation +
                    ") and were not stored again; under a given --replay-agent-id they "
                    "may be another archive's events";
  verdict.message += allow_duplicates
                         ? " (accepted: --allow-duplicates)"
                         : " (use --allow-duplicates to accept this, or a new --replay-agent-id to "
                           "store this archive apart)";
  return verdict;
}

}  // namespace regwatch::agent
