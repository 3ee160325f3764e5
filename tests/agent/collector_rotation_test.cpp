// CollectorRotation: the order the shipper tries its collectors in, what counts as a failover,
// and when the agent is refused by all.
#include "agent/shipper/collector_rotation.h"

#include <gtest/gtest.h>

namespace regwatch::agent::shipper {
namespace {

TEST(CollectorRotation, StartsAtTheFirstAndWrapsAroundOnFailures) {
  CollectorRotation rotation(3);
  std::vector<size_t> order;
  for (int i = 0; i < 7; ++i) {
    order.push_back(rotation.current());
    rotation.failed(false);
  }
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 0, 1, 2, 0}));
  EXPECT_EQ(rotation.failovers(), 0u);  // attempts on dead collectors are not failovers
  EXPECT_FALSE(rotation.last_working().has_value());
}

TEST(CollectorRotation, AFailoverIsWorkingOnAnotherThanTheLastThatWorked) {
  CollectorRotation rotation(2);
  EXPECT_FALSE(rotation.worked());  // the first to work: a start
  rotation.failed(false);           // 0 dies
  EXPECT_EQ(rotation.current(), 1u);
  rotation.failed(false);           // 1 is down as well; back to 0
  EXPECT_FALSE(rotation.worked());  // 0 is back: the same as before, no failover
  EXPECT_EQ(rotation.failovers(), 0u);
  rotation.failed(false);
  EXPECT_TRUE(rotation.worked());  // 1 takes over
  EXPECT_EQ(rotation.failovers(), 1u);
  EXPECT_EQ(rotation.last_working(), 1u);
  // It stays on 1 (no return to the primary) until 1 fails.
  EXPECT_EQ(rotation.current(), 1u);
  rotation.failed(false);
  EXPECT_TRUE(rotation.worked());
  EXPECT_EQ(rotation.failovers(), 2u);
}

TEST(CollectorRotation, RefusedByAllOnlyWhenEveryCollectorRefused) {
  CollectorRotation rotation(2);
  rotation.failed(true);
  EXPECT_FALSE(rotation.all_refused());
  rotation.failed(false);  // the second is merely down
  EXPECT_FALSE(rotation.all_refused());
  rotation.failed(true);  // the first refuses again
  rotation.failed(true);  // and the second refuses as well
  EXPECT_TRUE(rotation.all_refused());
  // A collector that acknowledges again (its token was fixed) clears its refusal.
  rotation.worked();
  EXPECT_FALSE(rotation.all_refused());
}

TEST(CollectorRotation, OneCollectorRefusingIsRefusedByAll) {
  CollectorRotation rotation(1);
  rotation.failed(false);
  EXPECT_EQ(rotation.current(), 0u);
  EXPECT_FALSE(rotation.all_refused());
  rotation.failed(true);
  EXPECT_TRUE(rotation.all_refused());
}

}  // namespace
}  // namespace regwatch::agent::shipper
