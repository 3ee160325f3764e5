#include "agent/snmp/counter_delta.h"

#include <gtest/gtest.h>

namespace regwatch::agent::snmp {
namespace {

constexpr int64_t kMinute = 60'000'000;

CounterSample at(uint64_t value, uint32_t uptime, int64_t t) {
  return {value, uptime, t};
}

TEST(CounterDelta, FirstSampleIsOnlyABase) {
  CounterTracker tracker(CounterWidth::k32);
  EXPECT_FALSE(tracker.update(at(100, 1000, 0)).has_value());
  EXPECT_EQ(tracker.last_discontinuity(), Discontinuity::kFirstSample);
  auto d = tracker.update(at(160, 7000, kMinute));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->delta, 60u);
  EXPECT_DOUBLE_EQ(d->per_second, 1.0);
  EXPECT_FALSE(d->wrapped);
}

TEST(CounterDelta, Counter32WrapGoesAcross) {
  CounterTracker tracker(CounterWidth::k32);
  tracker.update(at(0xFFFFFFF0u, 1000, 0));
  auto d = tracker.update(at(0x10, 7000, kMinute));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->delta, 0x20u);
  EXPECT_TRUE(d->wrapped);
}

TEST(CounterDelta, Counter64WrapGoesAcross) {
  CounterTracker tracker(CounterWidth::k64);
  tracker.update(at(~0ull - 4, 1000, 0));
  auto d = tracker.update(at(5, 7000, kMinute));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->delta, 10u);
  // A 64-bit counter is never read as a 32-bit wrap.
  CounterTracker hc(CounterWidth::k64);
  hc.update(at(0xFFFFFFF0u, 1000, 0));
  EXPECT_FALSE(hc.update(at(0x10, 7000, kMinute)).has_value());
  EXPECT_EQ(hc.last_discontinuity(), Discontinuity::kWentBackwards);
}

TEST(CounterDelta, DeviceRestartIsNoSpike) {
  CounterTracker tracker(CounterWidth::k32);
  tracker.update(at(4'000'000'000u, 900'000, 0));
  EXPECT_FALSE(tracker.update(at(12, 300, kMinute)).has_value());
  EXPECT_EQ(tracker.last_discontinuity(), Discontinuity::kDeviceRestart);
  auto d = tracker.update(at(30, 6300, 2 * kMinute));  // the new base counts from the restart
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->delta, 18u);
}

TEST(CounterDelta, SysUpTimeWrapAfter497DaysIsNotARestart) {
  CounterTracker tracker(CounterWidth::k32);
  tracker.update(at(100, 0xFFFFFF00u, 0));
  auto d = tracker.update(at(200, 0x100, kMinute));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->delta, 100u);
}

TEST(CounterDelta, LyingAgentsAreDiscontinuitiesNotSpikes) {
  CounterTracker tracker(CounterWidth::k32);
  tracker.update(at(3'000'000'000u, 1000, 0));
  EXPECT_FALSE(tracker.update(at(1'000'000'000u, 7000, kMinute)).has_value());  // back by 2^31+
  EXPECT_EQ(tracker.last_discontinuity(), Discontinuity::kWentBackwards);
  EXPECT_FALSE(tracker.update(at(1ull << 40, 13000, 2 * kMinute)).has_value());  // not a Counter32
  EXPECT_EQ(tracker.last_discontinuity(), Discontinuity::kOutOfRange);
  EXPECT_FALSE(tracker.update(at(1'000'000'100u, 19000, kMinute)).has_value());  // time went back
  EXPECT_EQ(tracker.last_discontinuity(), Discontinuity::kTimeWentBackwards);
}

}  // namespace
}  // namespace regwatch::agent::snmp
