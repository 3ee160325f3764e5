#pragma once
// What a reload (SIGHUP) of the live agent changes, decided from the config running and the
// one just read and checked (pure; agent_modes.cpp applies it).
//
// Applied in place, without losing an event or a connection:
//   log_level, log_format
//   syslog.assume_utc_offset, origin_senders                   (the next line parsed)
//   snmp.targets, snmp.cpu_threshold_percent, cpu_duration_s,
//   interface_errors_per_poll                                  (pollers retargeted: a target
//                                                               unchanged keeps its state)
// Read only at start: the new value is kept for the next start and named in `needs_restart`
// (logged, and on /metrics): agent_id, collector.*, spool.*, the syslog listeners (addresses
// and limits), snmp.traps and everything of the trap receiver, snmp.community, snmp.workers,
// sccp.*, metrics.*. Listeners are never re-bound by a reload.
#include <string>
#include <vector>

#include "agent/app/agent_config.h"

namespace regwatch::agent {

struct AgentReloadPlan {
  AgentConfig effective;                   // `next` with the start-only keys as they run
  std::vector<std::string> needs_restart;  // start-only keys whose value differs
  bool log_level = false;                  // log_level or log_format
  bool parsing = false;                    // assume_utc_offset, origin_senders
  bool snmp_targets = false;               // the pollers change
  // The pollers' shared settings changed: no poller keeps what it learned (its thresholds and
  // deltas were for the settings before).
  bool snmp_settings = false;
};

AgentReloadPlan plan_agent_reload(const AgentConfig& running, const AgentConfig& next);

}  // namespace regwatch::agent
