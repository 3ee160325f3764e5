#include "agent/snmp/interface_directory.h"

namespace regwatch::agent::snmp {

void InterfaceDirectory::publish(const std::string& host, std::map<uint32_t, std::string> names) {
  std::lock_guard lock(mutex_);
  by_host_[host] = std::move(names);
}

std::optional<std::string> InterfaceDirectory::name_of(const std::string& host,
                                                       uint32_t if_index) const {
  std::lock_guard lock(mutex_);
  auto device = by_host_.find(host);
  if (device == by_host_.end()) return std::nullopt;
  auto name = device->second.find(if_index);
  if (name == device->second.end() || name->second.empty()) return std::nullopt;
  return name->second;
}

}  // namespace regwatch::agent::snmp
