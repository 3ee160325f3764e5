#pragma once
// What the pollers learned about interface names (ifIndex -> ifName), per
// device address, so that a linkDown trap carrying only an ifIndex can say
// "GigabitEthernet2/0/17" once the device has been polled.
//
// Threads: safe; pollers publish from worker threads, the trap receiver reads.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace regwatch::agent::snmp {

class InterfaceDirectory {
 public:
  // Replaces what is known about the device at host (an IP or a name).
  void publish(const std::string& host, std::map<uint32_t, std::string> names);
  std::optional<std::string> name_of(const std::string& host, uint32_t if_index) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::map<uint32_t, std::string>> by_host_;
};

}  // namespace regwatch::agent::snmp
