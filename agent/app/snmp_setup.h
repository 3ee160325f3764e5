#pragma once
// Builds the SNMP pollers from the agent's configuration: defaults filled in,
// v3 secrets read from their environment variable or file (never from the
// config file, never logged).
#include <memory>

#include "agent/app/agent_config.h"
#include "agent/snmp/poll_scheduler.h"
#include "common/clock.h"

namespace regwatch::agent {

// nullptr when no targets are configured.
Result<std::unique_ptr<snmp::PollScheduler>> make_snmp_scheduler(const AgentConfig& config, snmp::EventSink sink,
                                                                 const Clock& clock);

}  // namespace regwatch::agent
