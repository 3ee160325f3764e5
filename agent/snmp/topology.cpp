#include "agent/snmp/topology.h"

#include <cctype>

namespace regwatch::agent::snmp {
namespace {

regwatch::v1::Event topology_event(const std::string& switch_name, int64_t time_us,
                                   const Neighbour& n, bool removed) {
  regwatch::v1::Event e;
  e.set_kind(regwatch::v1::TOPOLOGY);
  e.set_source(regwatch::v1::SOURCE_SNMP_POLL);
  e.set_origin(switch_name);
  e.set_event_time_us(time_us);
  e.set_receive_time_us(time_us);
  auto* t = e.mutable_topology();
  t->set_device(n.device);
  t->set_switch_name(switch_name);
  t->set_port(n.port);
  t->set_if_index(n.if_index);
  t->set_module(module_of_port(n.port));
  t->set_voice_vlan(n.voice_vlan);
  t->set_native_vlan(n.native_vlan);
  t->set_platform(n.platform);
  t->set_address(n.address);
  t->set_protocol(n.protocol);
  t->set_removed(removed);
  return e;
}

bool same_place(const Neighbour& a, const Neighbour& b) {
  return a.if_index == b.if_index && a.port == b.port && a.voice_vlan == b.voice_vlan &&
         a.address == b.address;
}

}  // namespace

uint32_t module_of_port(const std::string& port) {
  size_t i = 0;
  while (i < port.size() && !std::isdigit(static_cast<unsigned char>(port[i]))) ++i;
  if (port.find('/', i) == std::string::npos) return 0;  // "Vlan10", "Port 1": no module
  uint32_t value = 0;
  while (i < port.size() && std::isdigit(static_cast<unsigned char>(port[i])) && value < 100000) {
    value = value * 10 + static_cast<uint32_t>(port[i++] - '0');
  }
  return value;
}

std::vector<regwatch::v1::Event> TopologyTracker::on_snapshot(
    int64_t time_us, const std::vector<Neighbour>& neighbours) {
  std::vector<regwatch::v1::Event> events;
  std::map<std::string, Neighbour> now;
  for (const auto& n : neighbours) {
    if (n.device.rfind("SEP", 0) != 0) continue;
    now[n.device] = n;
  }
  for (const auto& [device, n] : now) {
    auto it = known_.find(device);
    if (it == known_.end() || !same_place(it->second, n))
      events.push_back(topology_event(switch_, time_us, n, false));
  }
  if (!first_) {
    for (const auto& [device, n] : known_) {
      if (!now.count(device)) events.push_back(topology_event(switch_, time_us, n, true));
    }
  }
  first_ = false;
  known_ = std::move(now);
  return events;
}

}  // namespace regwatch::agent::snmp
