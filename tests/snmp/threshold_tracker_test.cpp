#include "agent/snmp/threshold_tracker.h"

#include <gtest/gtest.h>

#include <vector>

namespace regwatch::agent::snmp {
namespace {

constexpr int64_t kSecond = 1'000'000;

TEST(ThresholdTracker, HighOnlyAfterTheWholeDuration) {
  ThresholdTracker cpu({90, 5, 60 * kSecond});  // RTMT CallProcessingNodeCpuPegging defaults
  EXPECT_EQ(cpu.update(0, 95).transition, Transition::kNone);
  EXPECT_EQ(cpu.update(30 * kSecond, 100).transition, Transition::kNone);
  auto event = cpu.update(60 * kSecond, 97);
  EXPECT_EQ(event.transition, Transition::kBecameHigh);
  EXPECT_EQ(event.since_us, 0);
  EXPECT_DOUBLE_EQ(event.peak, 100);
  EXPECT_TRUE(cpu.high());
  EXPECT_EQ(cpu.update(90 * kSecond, 99).transition, Transition::kNone);  // reported once
}

TEST(ThresholdTracker, AShortPegIsIgnored) {
  ThresholdTracker cpu({90, 5, 60 * kSecond});
  cpu.update(0, 100);
  cpu.update(30 * kSecond, 100);
  cpu.update(45 * kSecond, 40);  // the run ends before 60 s
  EXPECT_EQ(cpu.update(70 * kSecond, 100).transition, Transition::kNone);
  EXPECT_FALSE(cpu.high());
}

TEST(ThresholdTracker, NormalNeedsHysteresisAndDuration) {
  ThresholdTracker cpu({90, 5, 60 * kSecond});
  cpu.update(0, 95);
  cpu.update(60 * kSecond, 95);
  ASSERT_TRUE(cpu.high());
  EXPECT_EQ(cpu.update(120 * kSecond, 88).transition, Transition::kNone);  // below 90, not below 85
  EXPECT_EQ(cpu.update(130 * kSecond, 50).transition, Transition::kNone);
  EXPECT_EQ(cpu.update(190 * kSecond, 40).transition, Transition::kBecameNormal);
  EXPECT_FALSE(cpu.high());
}

TEST(ThresholdTracker, ReplayedSamplesGiveTheSameTransitions) {
  const std::vector<std::pair<int64_t, double>> samples = {{0, 10},
                                                           {20 * kSecond, 99},
                                                           {40 * kSecond, 99},
                                                           {80 * kSecond, 99},
                                                           {100 * kSecond, 20},
                                                           {200 * kSecond, 20}};
  auto run = [&] {
    ThresholdTracker cpu({90, 5, 60 * kSecond});
    std::vector<int> out;
    for (auto [t, v] : samples) out.push_back(static_cast<int>(cpu.update(t, v).transition));
    return out;
  };
  EXPECT_EQ(run(), run());
  EXPECT_EQ(run(), (std::vector<int>{0, 0, 0, 1, 0, 2}));
  ThresholdTracker cpu({90, 5, 60 * kSecond});
  cpu.update(10 * kSecond, 99);
  EXPECT_EQ(cpu.update(5 * kSecond, 99).transition, Transition::kNone);  // older sample ignored
}

}  // namespace
}  // namespace regwatch::agent::snmp
