#pragma once
// The agent's two ways of running, after configuration is settled:
// - live: listen for syslog and traps, poll SNMP, capture SCCP; spool, ship, until SIGINT/SIGTERM;
// - replay: load archived files under the replay's own identity
//   (replay_identity.h), wait for the collector's acks, print a summary with
//   what the collector stored and what it had already (replay_outcome.h).
#include <functional>
#include <string>
#include <vector>

#include "agent/app/agent_config.h"

namespace regwatch::agent {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitStartFailed = 2;
inline constexpr int kExitRefused = 3;       // the collector refused us (token, certificate)
inline constexpr int kExitInterrupted = 4;   // stopped before everything was acknowledged
inline constexpr int kExitNotAllStored = 5;  // replay: acknowledged, but not all of it stored now

struct ReplayRequest {
  std::vector<std::string> syslog_files;  // loaded first, in order
  std::vector<std::string> pcap_files;    // then these
  int timeout_seconds = 0;                // waiting for the acks; 0 = wait
  std::string agent_id;                   // --replay-agent-id; "" = from the archive's SHA-256
  bool allow_duplicates = false;          // --allow-duplicates
};

// How a reload (SIGHUP) reads the config again: as start-up did (the file, then the command
// line's flags over it) and checked as start-up checks it. Empty (no config file): a reload has
// nothing to read, and says so.
class ConfigReader {
 public:
  ConfigReader() = default;
  // read: the config, or an error whose message lists every problem with file and line.
  ConfigReader(std::string file, std::function<Result<AgentConfig>()> read)
      : file_(std::move(file)), read_(std::move(read)) {}
  explicit operator bool() const { return !file_.empty() && read_; }
  const std::string& file() const { return file_; }
  std::string file_sha256() const;  // "" when it cannot be read
  Result<AgentConfig> read() const { return read_(); }

 private:
  std::string file_;
  std::function<Result<AgentConfig>()> read_;
};

// Runs until SIGINT/SIGTERM; SIGHUP reloads through `reread` (agent_reload.h says what).
int run_live(const AgentConfig& config, const ConfigReader& reread = {});
int run_replay(const AgentConfig& config, const ReplayRequest& request);

}  // namespace regwatch::agent
