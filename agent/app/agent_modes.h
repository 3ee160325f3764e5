#pragma once
// The agent's two ways of running, after configuration is settled:
// - live: listen for syslog and traps, poll SNMP, capture SCCP; spool, ship, until SIGINT/SIGTERM;
// - replay: load archived files, wait for the collector's acks, print a summary.
#include <string>
#include <vector>

#include "agent/app/agent_config.h"

namespace regwatch::agent {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitStartFailed = 2;
inline constexpr int kExitRefused = 3;        // the collector refused us (token, certificate)
inline constexpr int kExitInterrupted = 4;    // stopped before everything was acknowledged

int run_live(const AgentConfig& config);
// syslog_files and pcap_files are loaded in that order, then the agent waits
// for the collector's acks (timeout_seconds 0 = wait).
int run_replay(const AgentConfig& config, const std::vector<std::string>& syslog_files,
               const std::vector<std::string>& pcap_files, int timeout_seconds);

}  // namespace regwatch::agent
