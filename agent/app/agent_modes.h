#pragma once
// The agent's two ways of running, after configuration is settled:
// - live: listen for syslog and traps, poll SNMP, capture SCCP; spool, ship, until SIGINT/SIGTERM;
// - replay: load archived files under the replay's own identity
//   (replay_identity.h), wait for the collector's acks, print a summary with
//   what the collector stored and what it had already (replay_outcome.h).
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

int run_live(const AgentConfig& config);
int run_replay(const AgentConfig& config, const ReplayRequest& request);

}  // namespace regwatch::agent
