// The leader lease (collector/store/leader_lease.h) on both backends: one holder at a time,
// renewals keep the term, a release or an expiry hands over with the term up by one.
#include "collector/store/leader_lease.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "collector/store/event_writer.h"
#include "tests/store/postgres_server.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;
using regwatch::test::PostgresServer;

constexpr int64_t kLongLeaseUs = 60'000'000;

class LeaderLeaseTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      auto started = PostgresServer::start();
      if (!started.ok()) {
        if (started.error().code == "not_installed") GTEST_SKIP() << started.error().message;
        FAIL() << started.error().message;
      }
      server_ = std::move(started).value();
      location_ = server_->url();
    } else {
      dir_ = fs::temp_directory_path() / ("regwatch-lease-" + std::to_string(::getpid()));
      fs::remove_all(dir_);
      fs::create_directories(dir_);
      location_ = (dir_ / "regwatch.db").string();
    }
    auto writer = EventWriter::open(location_);  // the schema, as the collector's start makes it
    ASSERT_TRUE(writer.ok()) << writer.error().message;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  std::unique_ptr<LeaderLease> lease(const std::string& holder, int64_t lease_us = kLongLeaseUs) {
    auto opened = LeaderLease::open(location_, holder, holder + ":7443", lease_us);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  std::unique_ptr<PostgresServer> server_;
  fs::path dir_;
  std::string location_;
};

TEST_P(LeaderLeaseTest, OneHolderAtATimeAndARenewalKeepsTheTerm) {
  auto a = lease("collector-a");
  auto b = lease("collector-b");
  ASSERT_TRUE(a && b);
  auto first = a->acquire_or_renew();
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(**first, 1);
  auto refused = b->acquire_or_renew();
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_FALSE(refused->has_value()) << "a second holder while the first's lease runs";
  auto renewed = a->acquire_or_renew();
  ASSERT_TRUE(renewed.ok() && renewed->has_value());
  EXPECT_EQ(**renewed, 1);
  auto state = b->current();
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->holder, "collector-a");
  EXPECT_EQ((*state)->address, "collector-a:7443");
  EXPECT_GT((*state)->expires_us, (*state)->now_us);
  EXPECT_LE((*state)->since_us, (*state)->renewed_us);
}

TEST_P(LeaderLeaseTest, AReleaseHandsOverAtOnceWithTheTermUp) {
  auto a = lease("collector-a");
  auto b = lease("collector-b");
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->acquire_or_renew()->has_value());
  ASSERT_TRUE(a->release().ok());
  auto taken = b->acquire_or_renew();
  ASSERT_TRUE(taken.ok() && taken->has_value());
  EXPECT_EQ(**taken, 2);
  EXPECT_FALSE(a->acquire_or_renew()->has_value()) << "the old holder came back over the new";
  // Releasing someone else's lease does nothing.
  ASSERT_TRUE(a->release().ok());
  EXPECT_TRUE(b->acquire_or_renew()->has_value());
}

TEST_P(LeaderLeaseTest, AnExpiredLeaseIsTakenOverByTheDatabasesClock) {
  auto a = lease("collector-a", 300'000);  // 0.3 s, never renewed: as a killed collector
  auto b = lease("collector-b", 300'000);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->acquire_or_renew()->has_value());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::optional<int64_t> term;
  while (!term && std::chrono::steady_clock::now() < deadline) {
    auto tried = b->acquire_or_renew();
    ASSERT_TRUE(tried.ok()) << tried.error().message;
    term = *tried;
    if (!term) std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  ASSERT_TRUE(term.has_value()) << "the expired lease was never taken over";
  EXPECT_EQ(*term, 2);
  auto state = a->current();
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_EQ((*state)->holder, "collector-b");
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaderLeaseTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& backend) {
                           return backend.param ? "PostgreSQL" : "SQLite";
                         });

}  // namespace
}  // namespace regwatch::collector::store
