#pragma once
// Turns the agent's collector settings into what the shipper needs: channel
// credentials (TLS with an optional client certificate, or plaintext, which
// validate_agent_config allows only to loopback) and the token, the same for every
// collector address; the addresses in their configured order.
#include <grpcpp/grpcpp.h>

#include <memory>

#include "agent/app/agent_config.h"
#include "agent/shipper/shipper.h"

namespace regwatch::agent {

Result<shipper::ShipperOptions> make_shipper_options(const AgentConfig& config);

}  // namespace regwatch::agent
