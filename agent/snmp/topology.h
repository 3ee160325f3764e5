#pragma once
// Which phone hangs off which switch port, from a switch's CDP cache
// (CISCO-CDP-MIB cdpCacheTable) and LLDP neighbours (LLDP-MIB lldpRemTable). Pure: the poller hands
// in one snapshot of the neighbours per poll; topology events come out only for changes (a phone
// appeared, moved port or VLAN, or disappeared), so the history stays small
// and "where was this phone at T" is the latest event before T.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::snmp {

struct Neighbour {
  std::string device;  // cdpCacheDeviceId: SEP... for phones
  uint32_t if_index = 0;
  std::string port;  // ifName of if_index (may be empty if unknown)
  std::string platform;
  std::string address;  // dotted IPv4
  uint32_t voice_vlan = 0;
  uint32_t native_vlan = 0;
  std::string protocol = "cdp";  // cdp or lldp
};

// "GigabitEthernet2/0/17" -> 2, "Gi1/0/3" -> 1, "FastEthernet0/5" -> 0.
uint32_t module_of_port(const std::string& port);

class TopologyTracker {
 public:
  explicit TopologyTracker(std::string switch_name) : switch_(std::move(switch_name)) {}
  // Only phones (names starting SEP) are tracked; other neighbours are ignored.
  std::vector<regwatch::v1::Event> on_snapshot(int64_t time_us,
                                               const std::vector<Neighbour>& neighbours);

 private:
  std::string switch_;
  std::map<std::string, Neighbour> known_;
  bool first_ = true;
};

}  // namespace regwatch::agent::snmp
