#pragma once
// A list of ports in the agent's config (`sccp.ports`, `boot.tftp_ports`, `sip.ports`...): read
// with every bad value named (ports are 1 to 65535), the one rule the sections share.
#include <cstdint>
#include <vector>

#include "common/yaml_config.h"

namespace regwatch::agent {

void read_port_list(config::YamlMap& section, const char* key, std::vector<uint16_t>& ports);

}  // namespace regwatch::agent
