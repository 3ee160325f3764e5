// One port, named the long way (CDP, IF-MIB) or the short way (%ILPOWER syslog).
#include "common/interface_name.h"

#include <gtest/gtest.h>

namespace regwatch {
namespace {

TEST(InterfaceName, AbbreviationsNameTheSamePort) {
  EXPECT_TRUE(same_interface("GigabitEthernet1/0/7", "Gi1/0/7"));
  EXPECT_TRUE(same_interface("gi1/0/7", "GigabitEthernet1/0/7"));
  EXPECT_TRUE(same_interface("TenGigabitEthernet1/1/1", "Te1/1/1"));
  EXPECT_TRUE(same_interface("FastEthernet0/5", "FastEthernet0/5"));
}

TEST(InterfaceName, OtherNumbersOrTypesAreOtherPorts) {
  EXPECT_FALSE(same_interface("GigabitEthernet1/0/7", "Gi1/0/17"));
  EXPECT_FALSE(same_interface("TenGigabitEthernet1/1/1", "Gi1/1/1"));  // "Gi" does not start "Ten"
  EXPECT_FALSE(same_interface("GigabitEthernet1/0/7", "Te1/0/7"));
  EXPECT_FALSE(same_interface("", ""));
  EXPECT_FALSE(same_interface("Gi", "GigabitEthernet"));
}

}  // namespace
}  // namespace regwatch
