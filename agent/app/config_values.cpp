#include "agent/app/config_values.h"

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

void read_at_least_one(config::YamlMap& section, const char* key, uint32_t& value) {
  section.read(key, value);
  if (value == 0) section.error(key, "must be at least 1");
}

void read_at_least_one(config::YamlMap& section, const char* key, size_t& value) {
  uint64_t read = value;
  section.read(key, read);
  if (read == 0) section.error(key, "must be at least 1");
  value = static_cast<size_t>(read);
}

}  // namespace regwatch::agent
