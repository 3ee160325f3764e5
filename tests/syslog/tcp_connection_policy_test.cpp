// The idle and eviction rules of syslog TCP connections (issue 17), on fake times.
#include "agent/syslog/tcp_connection_policy.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <vector>

namespace regwatch::agent::syslog {
namespace {

using namespace std::chrono_literals;

const SteadyTime kT0 = SteadyTime{} + 1000h;
const IdleTimeouts kTimeouts{600s, 10s};

ConnectionActivity silent(SteadyTime accepted) {
  return {accepted, std::nullopt, false};
}
ConnectionActivity partial(SteadyTime accepted, SteadyTime last_receive) {
  return {accepted, last_receive, false};
}
ConnectionActivity talker(SteadyTime accepted, SteadyTime last_receive) {
  return {accepted, last_receive, true};
}

std::optional<size_t> victim(
    const std::vector<ConnectionActivity>& table, SteadyTime now,
    std::function<bool(const ConnectionActivity&)> skip = [](const ConnectionActivity&) {
      return false;
    }) {
  return pick_eviction_victim(
      table, [](const ConnectionActivity& a) -> const ConnectionActivity& { return a; }, skip, now);
}

TEST(TcpConnectionPolicy, SilentConnectionGetsTheFirstLineTimeout) {
  EXPECT_EQ(idle_deadline(silent(kT0), kTimeouts), kT0 + 10s);
}

TEST(TcpConnectionPolicy, PartialLineStillCountsAsNoLineButEachByteRestartsTheClock) {
  EXPECT_EQ(idle_deadline(partial(kT0, kT0 + 3s), kTimeouts), kT0 + 13s);
}

TEST(TcpConnectionPolicy, AfterACompleteLineTheLongIdleTimeoutApplies) {
  EXPECT_EQ(idle_deadline(talker(kT0, kT0 + 3s), kTimeouts), kT0 + 603s);
}

TEST(TcpConnectionPolicy, FirstLineTimeoutAboveTheIdleTimeoutCannotLengthenIt) {
  const IdleTimeouts inverted{5s, 60s};
  EXPECT_EQ(idle_deadline(silent(kT0), inverted), kT0 + 5s);
  EXPECT_EQ(idle_deadline(talker(kT0, kT0), inverted), kT0 + 5s);
}

TEST(TcpConnectionPolicy, AConnectionThatNeverSentAByteIsEvictableAtOnce) {
  EXPECT_TRUE(evictable(silent(kT0), kT0));
}

TEST(TcpConnectionPolicy, AConnectionThatReceivedRecentlyIsNotEvictable) {
  EXPECT_FALSE(evictable(partial(kT0, kT0 + 1s), kT0 + 1s + kEvictionQuietPeriod - 1ms));
  EXPECT_TRUE(evictable(partial(kT0, kT0 + 1s), kT0 + 1s + kEvictionQuietPeriod));
  EXPECT_FALSE(evictable(talker(kT0, kT0 + 1s), kT0 + 2s));
}

TEST(TcpConnectionPolicy, NeverALineGoesBeforeATalkerEvenAnOlderTalker) {
  const std::vector<ConnectionActivity> table = {talker(kT0, kT0), silent(kT0 + 10s)};
  EXPECT_EQ(victim(table, kT0 + 60s), 1u);
}

TEST(TcpConnectionPolicy, WithinAGroupTheLongestIdleGoesFirst) {
  const std::vector<ConnectionActivity> table = {
      partial(kT0, kT0 + 8s),  // last activity t0+8s
      silent(kT0 + 5s),        // t0+5s: the oldest activity among the silent ones
      silent(kT0 + 6s),
      talker(kT0, kT0 + 1s),
  };
  EXPECT_EQ(victim(table, kT0 + 60s), 1u);
  const std::vector<ConnectionActivity> talkers = {talker(kT0, kT0 + 9s), talker(kT0, kT0 + 2s)};
  EXPECT_EQ(victim(talkers, kT0 + 60s), 1u);
}

TEST(TcpConnectionPolicy, EqualCandidatesGiveTheEarliestInTheTable) {
  const std::vector<ConnectionActivity> table = {silent(kT0), silent(kT0), silent(kT0)};
  EXPECT_EQ(victim(table, kT0 + 1s), 0u);
}

TEST(TcpConnectionPolicy, RecentlyActiveConnectionsAreSkippedEvenIfOldest) {
  // The silent one is newer, but the older ones talked within the quiet period.
  const std::vector<ConnectionActivity> table = {partial(kT0, kT0 + 58s), talker(kT0, kT0 + 59s),
                                                 silent(kT0 + 59s)};
  EXPECT_EQ(victim(table, kT0 + 60s), 2u);
}

TEST(TcpConnectionPolicy, NoCandidateWhenEveryoneTalkedWithinTheQuietPeriod) {
  const std::vector<ConnectionActivity> table = {partial(kT0, kT0 + 58s), talker(kT0, kT0 + 59s)};
  EXPECT_EQ(victim(table, kT0 + 60s), std::nullopt);
  EXPECT_EQ(victim({}, kT0), std::nullopt);
}

TEST(TcpConnectionPolicy, SkippedItemsAreNeverPicked) {
  const std::vector<ConnectionActivity> table = {silent(kT0), silent(kT0 + 1s)};
  const auto skip_first = [&](const ConnectionActivity& a) { return &a == &table[0]; };
  EXPECT_EQ(victim(table, kT0 + 2s, skip_first), 1u);
}

}  // namespace
}  // namespace regwatch::agent::syslog
