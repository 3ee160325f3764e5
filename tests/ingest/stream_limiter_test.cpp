#include "collector/ingest/stream_limiter.h"

#include <gtest/gtest.h>

#include <vector>

namespace regwatch::collector::ingest {
namespace {

TEST(StreamLimiter, RefusesOneStreamPastTheLimitPerIdentity) {
  StreamLimiter limiter(2);
  auto first = limiter.try_open("agent-a");
  auto second = limiter.try_open("agent-a");
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(limiter.try_open("agent-a"));
  EXPECT_EQ(limiter.open_streams("agent-a"), 2u);
  // Another identity has its own allowance.
  EXPECT_TRUE(limiter.try_open("agent-b"));
}

TEST(StreamLimiter, AClosedStreamGivesItsPlaceBack) {
  StreamLimiter limiter(1);
  {
    auto slot = limiter.try_open("agent-a");
    ASSERT_TRUE(slot);
    EXPECT_FALSE(limiter.try_open("agent-a"));
  }
  EXPECT_EQ(limiter.open_streams("agent-a"), 0u);
  EXPECT_TRUE(limiter.try_open("agent-a"));
}

TEST(StreamLimiter, AMovedSlotIsReleasedOnce) {
  StreamLimiter limiter(2);
  std::vector<StreamSlot> slots;
  slots.push_back(*limiter.try_open("agent-a"));  // moved out of the optional
  std::optional<StreamSlot> other = limiter.try_open("agent-a");
  ASSERT_TRUE(other);
  other = std::move(slots.front());  // releases other's own place, takes the moved one
  EXPECT_EQ(limiter.open_streams("agent-a"), 1u);
  slots.clear();
  EXPECT_EQ(limiter.open_streams("agent-a"), 1u);
  other.reset();
  EXPECT_EQ(limiter.open_streams("agent-a"), 0u);
}

}  // namespace
}  // namespace regwatch::collector::ingest
