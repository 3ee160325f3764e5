// collector.address with several collectors: the list is read from the YAML key and from
// --collector alike, in order, and every address is checked like a single one, each error
// naming the address and the line of collector.address.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "agent/app/agent_config.h"
#include "agent/app/collector_channel.h"

namespace regwatch::agent {
namespace {

class CollectorAddressesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-collectors-XXXXXX";
    dir_ = mkdtemp(templ);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<AgentConfig> load(const std::string& yaml) {
    const auto path = (dir_ / "agent.yaml").string();
    std::ofstream(path) << yaml;
    return load_agent_config(path);
  }
  std::filesystem::path dir_;
};

TEST_F(CollectorAddressesTest, OneAddressIsAListOfOne) {
  CollectorLink link;
  EXPECT_EQ(collector_addresses(link), std::vector<std::string>{"127.0.0.1:7443"});
  link.address = "[::1]:7443";
  EXPECT_EQ(collector_addresses(link), std::vector<std::string>{"[::1]:7443"});
}

TEST_F(CollectorAddressesTest, SeveralAreSplitAtCommasInOrderAndTrimmed) {
  CollectorLink link;
  link.address = "127.0.0.2:7443, [::1]:7444 ,127.0.0.1:7445";
  EXPECT_EQ(collector_addresses(link),
            (std::vector<std::string>{"127.0.0.2:7443", "[::1]:7444", "127.0.0.1:7445"}));
  link.address = "127.0.0.1:1,,127.0.0.1:2,";
  EXPECT_EQ(collector_addresses(link),
            (std::vector<std::string>{"127.0.0.1:1", "", "127.0.0.1:2", ""}));
}

TEST_F(CollectorAddressesTest, AListFromTheFileReachesTheShipperInOrder) {
  auto loaded = load("agent_id: edge-1\ncollector:\n  address: 127.0.0.1:7443, 127.0.0.2:7443\n");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  auto options = make_shipper_options(*loaded);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->targets, (std::vector<std::string>{"127.0.0.1:7443", "127.0.0.2:7443"}));
}

TEST_F(CollectorAddressesTest, EveryBadAddressIsNamedWithTheLine) {
  auto loaded = load(
      "agent_id: edge-1\ncollector:\n  tls: false\n"
      "  address: 127.0.0.1:7443,collector-b.noc.example.net:7443,nonsense,127.0.0.1:7443\n");
  ASSERT_FALSE(loaded.ok());
  const auto& message = loaded.error().message;
  EXPECT_NE(message.find(":4: collector.address: the collector collector-b.noc.example.net:7443 "
                         "is not on loopback"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(":4: collector.address: 'nonsense'"), std::string::npos) << message;
  EXPECT_NE(message.find(":4: collector.address: '127.0.0.1:7443' is listed twice"),
            std::string::npos)
      << message;
}

TEST_F(CollectorAddressesTest, AnEmptyEntryIsRefused) {
  AgentConfig config;
  config.agent_id = "edge-1";
  for (const char* address : {"", "127.0.0.1:7443,", "127.0.0.1:7443,,127.0.0.1:7444"}) {
    config.collector.address = address;
    auto checked = validate_agent_config(config);
    ASSERT_FALSE(checked.ok()) << address;
    EXPECT_NE(checked.error().message.find("has an empty address"), std::string::npos)
        << checked.error().message;
  }
}

TEST_F(CollectorAddressesTest, TlsAllowsEveryAddressOffLoopback) {
  AgentConfig config;
  config.agent_id = "edge-1";
  config.collector.tls = true;
  config.collector.address = "collector-a.noc.example.net:7443,collector-b.noc.example.net:7443";
  auto checked = validate_agent_config(config);
  EXPECT_TRUE(checked.ok()) << checked.error().message;
}

TEST_F(CollectorAddressesTest, TheDefaultConfigShowsTheListForm) {
  EXPECT_NE(default_agent_config_yaml().find("a:7443,b:7443"), std::string::npos);
}

}  // namespace
}  // namespace regwatch::agent
