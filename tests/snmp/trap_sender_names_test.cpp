// Trap senders named as the SNMP targets at their address.
#include "agent/snmp/trap_sender_names.h"

#include <gtest/gtest.h>

namespace regwatch::agent::snmp {
namespace {

TEST(TrapSenderNames, ATargetsAddressNamesItsTraps) {
  const TrapSenderNames names(
      {{"sw-3f", "10.1.1.5"}, {"ucm-sub1", "10.1.2.10:161"}, {"core", "[2001:db8::7]:1161"}});
  EXPECT_EQ(names.name_of("10.1.1.5"), "sw-3f");
  EXPECT_EQ(names.name_of("10.1.2.10"), "ucm-sub1");
  EXPECT_EQ(names.name_of("2001:db8::7"), "core");
  EXPECT_EQ(names.name_of("10.1.1.6"), std::nullopt);  // not polled: keeps its address
  EXPECT_TRUE(names.unnamed().empty());
}

TEST(TrapSenderNames, ASharedAddressNamesNoneAndSaysWhy) {
  const TrapSenderNames names(
      {{"sim-a", "127.0.0.1:16100"}, {"sim-b", "127.0.0.1:16101"}, {"sw-3f", "10.1.1.5"}});
  EXPECT_EQ(names.name_of("127.0.0.1"), std::nullopt);
  EXPECT_EQ(names.name_of("10.1.1.5"), "sw-3f");
  ASSERT_EQ(names.unnamed().size(), 1u);
  EXPECT_NE(names.unnamed()[0].find("sim-a, sim-b share 127.0.0.1"), std::string::npos);
}

TEST(TrapSenderNames, AHostNameIsResolvedOnce) {
  // localhost is in every /etc/hosts: no DNS needed.
  const std::vector<std::pair<std::string, std::string>> targets = {
      {"lab-switch", "localhost:16100"}};
  const TrapSenderNames names(targets);
  EXPECT_EQ(names.name_of("127.0.0.1"), "lab-switch");
  // What its polls learned (interface names) is found under the host it is polled by.
  EXPECT_EQ(names.polled_host_of("127.0.0.1"), "localhost");
  EXPECT_EQ(names.polled_host_of("10.9.9.9"), "10.9.9.9");
}

}  // namespace
}  // namespace regwatch::agent::snmp
