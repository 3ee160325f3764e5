#include "agent/snmp/topology.h"

#include <gtest/gtest.h>

namespace regwatch::agent::snmp {
namespace {

Neighbour phone(const std::string& name, uint32_t if_index, const std::string& port,
                uint32_t vlan = 110) {
  Neighbour n;
  n.device = name;
  n.if_index = if_index;
  n.port = port;
  n.voice_vlan = vlan;
  n.platform = "Cisco IP Phone 7941";
  n.address = "10.20.31.5";
  return n;
}

TEST(Topology, ModuleFromPortName) {
  EXPECT_EQ(module_of_port("GigabitEthernet2/0/17"), 2u);
  EXPECT_EQ(module_of_port("Gi1/0/3"), 1u);
  EXPECT_EQ(module_of_port("FastEthernet0/5"), 0u);
  EXPECT_EQ(module_of_port("Vlan10"), 0u);
  EXPECT_EQ(module_of_port(""), 0u);
}

TEST(Topology, EventsOnlyForChanges) {
  TopologyTracker sw("sw-3f-access");
  Neighbour uplink = phone("sw-core.example.net", 1, "Te1/1/1");  // not a phone: ignored
  auto events =
      sw.on_snapshot(1, {phone("SEP0017943A98BA", 10117, "GigabitEthernet2/0/17"), uplink});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), v1::TOPOLOGY);
  EXPECT_EQ(events[0].topology().device(), "SEP0017943A98BA");
  EXPECT_EQ(events[0].topology().module(), 2u);
  EXPECT_EQ(events[0].topology().voice_vlan(), 110u);
  EXPECT_EQ(events[0].origin(), "sw-3f-access");
  EXPECT_TRUE(
      sw.on_snapshot(2, {phone("SEP0017943A98BA", 10117, "GigabitEthernet2/0/17")}).empty());
  events = sw.on_snapshot(3, {phone("SEP0017943A98BA", 10105, "GigabitEthernet2/0/5")});  // moved
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].topology().port(), "GigabitEthernet2/0/5");
  events = sw.on_snapshot(4, {});  // unplugged
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].topology().removed());
}

}  // namespace
}  // namespace regwatch::agent::snmp
