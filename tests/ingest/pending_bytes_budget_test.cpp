#include "collector/ingest/pending_bytes_budget.h"

#include <gtest/gtest.h>

namespace regwatch::collector::ingest {
namespace {

TEST(PendingBytesBudget, AdmitsReadsWhileUnderTheLimit) {
  PendingBytesBudget budget(100);
  PendingBytesBudget::Ticket ticket = 0;
  int woken = 0;
  EXPECT_TRUE(budget.wait_or_admit([&] { ++woken; }, ticket));
  budget.charge(99);
  EXPECT_TRUE(budget.wait_or_admit([&] { ++woken; }, ticket));
  EXPECT_EQ(woken, 0);
  EXPECT_EQ(budget.stats().waits, 0u);
}

TEST(PendingBytesBudget, AStreamWaitsAtTheLimitAndIsWokenWhenCommitsFreeRoom) {
  PendingBytesBudget budget(100);
  budget.charge(60);
  budget.charge(60);  // a read admitted under the limit may pass it: the batch is in memory
  PendingBytesBudget::Ticket a = 0, b = 0;
  int woken_a = 0, woken_b = 0;
  EXPECT_FALSE(budget.wait_or_admit([&] { ++woken_a; }, a));
  EXPECT_FALSE(budget.wait_or_admit([&] { ++woken_b; }, b));
  EXPECT_NE(a, b);
  EXPECT_EQ(budget.stats().waits, 2u);
  EXPECT_EQ(budget.stats().peak_pending_bytes, 120u);
  budget.release(10);  // 110: still over, nobody woken
  EXPECT_EQ(woken_a + woken_b, 0);
  budget.release(60);  // 50: room for everyone waiting
  EXPECT_EQ(woken_a, 1);
  EXPECT_EQ(woken_b, 1);
  budget.release(50);  // woken once only
  EXPECT_EQ(woken_a, 1);
  EXPECT_EQ(budget.stats().pending_bytes, 0u);
}

TEST(PendingBytesBudget, ACancelledWaitIsNeverWoken) {
  PendingBytesBudget budget(10);
  budget.charge(10);
  PendingBytesBudget::Ticket ticket = 0;
  int woken = 0;
  ASSERT_FALSE(budget.wait_or_admit([&] { ++woken; }, ticket));
  EXPECT_TRUE(budget.cancel(ticket));
  budget.release(10);
  EXPECT_EQ(woken, 0);
  // Once woken (or cancelled), the ticket is gone: a late cancel says so.
  EXPECT_FALSE(budget.cancel(ticket));
}

TEST(PendingBytesBudget, AWakeMayWaitAgainFromInsideItsCallback) {
  // A woken stream reads, and may find the budget spent again: the callback runs outside the
  // budget's lock, so it can call back in.
  PendingBytesBudget budget(10);
  budget.charge(10);
  PendingBytesBudget::Ticket ticket = 0;
  bool admitted_in_wake = false;
  ASSERT_FALSE(budget.wait_or_admit([&] { admitted_in_wake = budget.wait_or_admit([] {}, ticket); },
                                    ticket));
  budget.release(10);
  EXPECT_TRUE(admitted_in_wake);
}

TEST(PendingBytesBudget, ReleasingMoreThanChargedDoesNotWrap) {
  PendingBytesBudget budget(10);
  budget.charge(5);
  budget.release(7);
  EXPECT_EQ(budget.stats().pending_bytes, 0u);
}

}  // namespace
}  // namespace regwatch::collector::ingest
