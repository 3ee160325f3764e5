// The net-snmp client against real peers on loopback.
#include "agent/snmp/snmp_client.h"

#include <gtest/gtest.h>

#include <sstream>

#include "snmp_peers.h"

namespace regwatch::agent::snmp {
namespace {

namespace fs = std::filesystem;
using testing::SnmpDaemon;
using testing::SnmpSim;

constexpr char kHrProcessorLoad[] = "1.3.6.1.2.1.25.3.3.1.2";

class SnmpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char templ[] = "/tmp/regwatch-snmp-XXXXXX";
    dir_ = mkdtemp(templ);
    sim_ = std::make_unique<SnmpSim>(dir_ / "sim");
    sim_->record("cucm1",
                 "1.3.6.1.2.1.1.3.0|67|123456\n"
                 "1.3.6.1.2.1.25.3.3.1.2.196608|2|97\n"
                 "1.3.6.1.2.1.25.3.3.1.2.196609|2|93\n"
                 "1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551610\n");
    std::ostringstream big;
    big << "1.3.6.1.2.1.1.3.0|67|1\n";
    for (int i = 1; i <= 100000; ++i) big << "1.3.6.1.2.1.2.2.1.14." << i << "|65|" << i << "\n";
    sim_->record("bigtable", big.str());
    sim_->start();
    ASSERT_TRUE(sim_->wait_ready("cucm1"))
        << "snmpsimd did not come up; see " << (dir_ / "sim").string();
  }
  static void TearDownTestSuite() {
    sim_.reset();
    fs::remove_all(dir_);
  }
  static SnmpTargetSettings target(const std::string& community) {
    SnmpTargetSettings settings;
    settings.address = sim_->address();
    settings.community = community;
    settings.timeout = std::chrono::milliseconds(3000);
    return settings;
  }

  static inline fs::path dir_;
  static inline std::unique_ptr<SnmpSim> sim_;
};

TEST_F(SnmpClientTest, WalksACpuTable) {
  auto client = std::move(SnmpClient::open(target("cucm1"))).value();
  auto walk = client->walk(*parse_oid(kHrProcessorLoad));
  ASSERT_TRUE(walk.ok()) << walk.error().message;
  ASSERT_EQ(walk->rows.size(), 2u);
  EXPECT_EQ(format_oid(walk->rows[0].oid), "1.3.6.1.2.1.25.3.3.1.2.196608");
  EXPECT_EQ(walk->rows[0].type, ValueType::kInteger);
  EXPECT_EQ(walk->rows[0].integer, 97);
  EXPECT_FALSE(walk->truncated);
}

TEST_F(SnmpClientTest, GetsScalarsAndCounter64) {
  auto client = std::move(SnmpClient::open(target("cucm1"))).value();
  auto values =
      client->get({*parse_oid("1.3.6.1.2.1.1.3.0"), *parse_oid("1.3.6.1.2.1.31.1.1.1.6.1"),
                   *parse_oid("1.3.6.1.2.1.1.5.0")});
  ASSERT_TRUE(values.ok()) << values.error().message;
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0].type, ValueType::kTimeTicks);
  EXPECT_EQ((*values)[0].unsigned_value, 123456u);
  EXPECT_EQ((*values)[1].type, ValueType::kCounter64);
  EXPECT_EQ((*values)[1].unsigned_value, 18446744073709551610ull);
  EXPECT_TRUE((*values)[2].type == ValueType::kNoSuchObject ||
              (*values)[2].type == ValueType::kNoSuchInstance);
}

TEST_F(SnmpClientTest, AHugeTableIsCappedInRowsAndRequests) {
  auto settings = target("bigtable");
  settings.max_rows = 5000;
  settings.bulk_repetitions = 50;
  auto client = std::move(SnmpClient::open(settings)).value();
  auto walk = client->walk(*parse_oid("1.3.6.1.2.1.2.2.1.14"));
  ASSERT_TRUE(walk.ok()) << walk.error().message;
  EXPECT_EQ(walk->rows.size(), 5000u);
  EXPECT_TRUE(walk->truncated);
  EXPECT_LE(walk->requests, 5000u / 50 + 1);
  EXPECT_EQ(walk->rows.back().type, ValueType::kCounter32);
}

TEST_F(SnmpClientTest, AWrongCommunityOrADeadTargetTimesOutInBoundedTime) {
  auto settings = target("no-such-community");
  settings.timeout = std::chrono::milliseconds(200);
  settings.retries = 1;
  auto client = std::move(SnmpClient::open(settings)).value();
  const auto start = std::chrono::steady_clock::now();
  auto result = client->get({*parse_oid("1.3.6.1.2.1.1.3.0")});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(SnmpClient, RealSnmpdServesInterfaceNames) {
  char templ[] = "/tmp/regwatch-snmpd-XXXXXX";
  const fs::path dir = mkdtemp(templ);
  {
    SnmpDaemon daemon(dir, "regwatch-test");
    ASSERT_TRUE(daemon.wait_ready("regwatch-test"));
    SnmpTargetSettings settings;
    settings.address = daemon.address();
    settings.community = "regwatch-test";
    auto client = std::move(SnmpClient::open(settings)).value();
    auto names = client->walk(*parse_oid("1.3.6.1.2.1.31.1.1.1.1"));  // ifName
    ASSERT_TRUE(names.ok()) << names.error().message;
    bool loopback = false;
    for (const auto& row : names->rows) loopback = loopback || row.octets == "lo";
    EXPECT_TRUE(loopback);
  }
  fs::remove_all(dir);
}

TEST(SnmpClient, V3AuthPrivAgainstRealSnmpd) {
  char templ[] = "/tmp/regwatch-snmpd3-XXXXXX";
  const fs::path dir = mkdtemp(templ);
  {
    SnmpDaemon daemon(dir, "regwatch-test");
    ASSERT_TRUE(daemon.wait_ready("regwatch-test"));
    SnmpTargetSettings settings;
    settings.address = daemon.address();
    settings.version = "3";
    settings.user = "regwatch-v3";
    settings.auth_passphrase = "regwatch-auth-pass";
    settings.priv_passphrase = "regwatch-priv-pass";
    auto client = std::move(SnmpClient::open(settings)).value();
    auto uptime = client->get({*parse_oid("1.3.6.1.2.1.1.3.0")});
    ASSERT_TRUE(uptime.ok()) << uptime.error().message;
    EXPECT_EQ((*uptime)[0].type, ValueType::kTimeTicks);
    auto names = client->walk(*parse_oid("1.3.6.1.2.1.31.1.1.1.1"));
    ASSERT_TRUE(names.ok()) << names.error().message;
    EXPECT_FALSE(names->rows.empty());
    // An unknown user is refused, not answered. (A wrong passphrase for a user
    // this process already knows is not testable here: net-snmp keeps localized
    // USM keys per user and engine process-wide.)
    settings.user = "no-such-user";
    settings.timeout = std::chrono::milliseconds(500);
    settings.retries = 0;
    auto wrong = std::move(SnmpClient::open(settings)).value();
    EXPECT_FALSE(wrong->get({*parse_oid("1.3.6.1.2.1.1.3.0")}).ok());
  }
  fs::remove_all(dir);
}

TEST(SnmpClient, ParsesAndRejectsOids) {
  EXPECT_EQ(format_oid(*parse_oid(".1.3.6.1.2.1.1.3.0")), "1.3.6.1.2.1.1.3.0");
  EXPECT_FALSE(parse_oid("1.3.x").ok());
  EXPECT_FALSE(parse_oid("1.").ok());
  EXPECT_FALSE(parse_oid("1").ok());
  SnmpTargetSettings bad;
  bad.address = "127.0.0.1:161";
  bad.version = "4";
  EXPECT_FALSE(SnmpClient::open(bad).ok());
}

}  // namespace
}  // namespace regwatch::agent::snmp
