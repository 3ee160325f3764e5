// LLDP local ports resolved to interfaces, with the shapes of real devices (LibreNMS recordings
// in tests/data/realworld/snmp and the local ports LibreNMS reports for them).
#include "agent/snmp/lldp_local_ports.h"

#include <gtest/gtest.h>

namespace regwatch::agent::snmp {
namespace {

TEST(LldpLocalPorts, AnIndustrialSwitchsPortNumberIsItsIfIndex) {
  // iosxe_ie32008t2s-ios17-12: lldpLocPortId "port-001" names no interface; LibreNMS places
  // the neighbour of local port 3 at Gi1/3 (ifIndex 3).
  InterfaceNames interfaces;
  interfaces.name = {{1, "Gi1/1"}, {3, "Gi1/3"}, {13, "Vl1"}};
  interfaces.description = {{1, "GigabitEthernet1/1"}, {3, "GigabitEthernet1/3"}};
  const auto resolved = resolve_lldp_local_port({3, 0, "port-003", ""}, interfaces);
  EXPECT_EQ(resolved.if_index, 3u);
  EXPECT_EQ(resolved.name, "Gi1/3");
}

TEST(LldpLocalPorts, ANameMatchWinsOverAPortNumberThatIsAnotherInterface) {
  // ios_c3560: local port 1 is "Gi0/1" (ifIndex 10101), while ifIndex 1 is Vl1.
  InterfaceNames interfaces;
  interfaces.name = {{1, "Vl1"}, {10101, "Gi0/1"}};
  const auto resolved = resolve_lldp_local_port({1, 0, "Gi0/1", ""}, interfaces);
  EXPECT_EQ(resolved.if_index, 10101u);
  EXPECT_EQ(resolved.name, "Gi0/1");
}

TEST(LldpLocalPorts, DescriptionsAndAliasesMatchWhenTheIdDoesNot) {
  InterfaceNames interfaces;
  interfaces.name = {{10103, "Gi1/0/3"}, {10104, "Gi1/0/4"}};
  interfaces.description = {{10103, "GigabitEthernet1/0/3"}, {10104, "GigabitEthernet1/0/4"}};
  interfaces.alias = {{10103, "phone 3F-12"}, {10104, "spare"}};
  // The id spelled as ifDescr.
  EXPECT_EQ(resolve_lldp_local_port({7, 5, "GigabitEthernet1/0/4", ""}, interfaces).name,
            "Gi1/0/4");
  // A MAC as id: the description decides.
  EXPECT_EQ(resolve_lldp_local_port({7, 3, "\x1b\x2c\x3d\x4e\x5f\x60", "GigabitEthernet1/0/3"},
                                    interfaces)
                .if_index,
            10103u);
  // Only the alias names it.
  EXPECT_EQ(resolve_lldp_local_port({7, 1, "phone 3F-12", ""}, interfaces).if_index, 10103u);
}

TEST(LldpLocalPorts, AnUnknownPortKeepsItsAdvertisedIdAndNoIfIndex) {
  InterfaceNames interfaces;
  interfaces.name = {{1, "Gi1/1"}};
  interfaces.alias = {{1, "uplink"}, {2, "uplink"}};  // ambiguous: says nothing
  const auto resolved = resolve_lldp_local_port({9, 7, "uplink", ""}, interfaces);
  EXPECT_EQ(resolved.if_index, 0u);
  EXPECT_EQ(resolved.name, "uplink");
}

}  // namespace
}  // namespace regwatch::agent::snmp
