#include "agent/app/port_list_config.h"

namespace regwatch::agent {

void read_port_list(config::YamlMap& section, const char* key, std::vector<uint16_t>& ports) {
  std::vector<uint32_t> values(ports.begin(), ports.end());
  section.read(key, values);
  ports.clear();
  for (const uint32_t v : values) {
    if (v == 0 || v > 65535) {
      section.error(key, "ports are 1 to 65535");
    } else {
      ports.push_back(static_cast<uint16_t>(v));
    }
  }
}

}  // namespace regwatch::agent
