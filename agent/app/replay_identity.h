#pragma once
// Who a replay is, to the collector. The collector stores an event once per
// (agent id, spool incarnation, seq); a replay's numbering must therefore
// neither collide with the live stream of the same agent nor change from one
// replay of an archive to the next:
// - agent id: `<configured agent id>/replay-<first 12 hex of SHA-256 of the
//   archive>` (several files: of their contents one after the other, in the
//   order given), unless --replay-agent-id names one. A collector with tokens
//   accepts `<agent>/...` under `<agent>`'s token.
// - spool: its own directory under the configured spool directory, named
//   after the replay agent id and emptied at the start of every replay, so the
//   seqs are the events' positions in the archive, 1, 2, 3, ... (under a lock:
//   the same replay started again while one runs is refused).
// - incarnation: kReplaySpoolIncarnation, which no live spool has (theirs are
//   32 random hex digits).
// So replaying the same archive twice gives the same keys, and the collector
// stores it once; a replay under the live agent's own id still differs from
// the live stream by its incarnation.
#include <filesystem>
#include <string>
#include <vector>

#include "agent/syslog/socket_fd.h"
#include "common/result.h"

namespace regwatch::agent {

inline constexpr char kReplaySpoolIncarnation[] = "replay";
inline constexpr size_t kReplayDigestHexDigits = 12;

struct ReplayIdentity {
  std::string agent_id;
  std::filesystem::path spool_dir;
  // True when the agent id comes from the archive's content: then the
  // collector's duplicates can only be this same archive's events.
  bool from_content = true;
};

// SHA-256 of the files' contents, read in order as one stream; lowercase hex.
// A file that cannot be read is an error.
Result<std::string> archive_digest(const std::vector<std::string>& files);

// forced_agent_id: --replay-agent-id ("" = derive it from the digest).
ReplayIdentity make_replay_identity(const std::string& configured_agent_id,
                                    const std::filesystem::path& configured_spool_dir,
                                    const std::string& digest_hex,
                                    const std::string& forced_agent_id);

// Locks a replay's spool for as long as the returned descriptor lives (a
// flock on "<spool_dir>.lock", released by the kernel when the process
// ends, however it ends). Two replays under one identity would empty each
// other's spool; the second is refused ("replay_busy") instead.
Result<syslog::SocketFd> lock_replay_spool(const std::filesystem::path& spool_dir);

}  // namespace regwatch::agent
