#pragma once
// Values the agent config's sections share the rules for (`sccp.ports`, `boot.tftp_ports`,
// `sip.ports`, the bounds and timeouts of `boot:` and `sip:`): read with every bad value named.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/yaml_config.h"

namespace regwatch::agent {

// Ports are 1 to 65535.
void read_port_list(config::YamlMap& section, const char* key, std::vector<uint16_t>& ports);
// Counts, bounds and timeouts where 0 would mean nothing works: at least 1.
void read_at_least_one(config::YamlMap& section, const char* key, uint32_t& value);
void read_at_least_one(config::YamlMap& section, const char* key, size_t& value);

}  // namespace regwatch::agent
