#pragma once
// Builds the SNMP pollers from the agent's configuration: defaults filled in,
// v3 secrets read from their environment variable or file (never from the
// config file, never logged).
#include <memory>
#include <vector>

#include "agent/app/agent_config.h"
#include "agent/snmp/poll_scheduler.h"
#include "agent/snmp/trap_receiver.h"
#include "common/clock.h"

namespace regwatch::agent {

// One poller per configured target (none without targets). Pollers publish interface names to
// directory (optional; must outlive them). A reload builds them again and retargets.
Result<std::vector<std::unique_ptr<snmp::TargetPoller>>> make_snmp_pollers(
    const AgentConfig& config, const Clock& clock, snmp::InterfaceDirectory* directory = nullptr);
// The scheduler of those pollers (idle without targets, until a reload gives it some).
Result<std::unique_ptr<snmp::PollScheduler>> make_snmp_scheduler(
    const AgentConfig& config, snmp::EventSink sink, const Clock& clock,
    snmp::InterfaceDirectory* directory = nullptr);

// The trap receiver's options: endpoint, community, and the v3 users with
// their secrets read.
Result<snmp::TrapReceiverOptions> make_trap_receiver_options(const AgentConfig& config);

}  // namespace regwatch::agent
