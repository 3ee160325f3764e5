// The one rule for taking a collector's ack: only an exact fit for the oldest batch in
// flight lets events leave the spool.
#include "agent/shipper/in_flight_batches.h"

#include <gtest/gtest.h>

namespace regwatch::agent::shipper {
namespace {

regwatch::v1::Ack ack(uint64_t batch_id, uint64_t last_seq, uint32_t stored, uint32_t duplicates) {
  regwatch::v1::Ack a;
  a.set_batch_id(batch_id);
  a.set_last_seq(last_seq);
  a.set_stored(stored);
  a.set_duplicates(duplicates);
  return a;
}

TEST(InFlightBatches, AcceptsAcksInOrderAndCountsUnexpectedDuplicates) {
  InFlightBatches batches;
  batches.sent({1, 10, 10, 4});
  batches.sent({2, 15, 5, 0});
  auto first = batches.accept(ack(1, 10, 4, 6));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->last_seq, 10u);
  EXPECT_EQ(first->counts.stored, 4u);
  EXPECT_EQ(first->counts.duplicates, 6u);
  EXPECT_EQ(first->counts.unexpected_duplicates, 2u);  // 4 of the 6 may have been sent before
  auto second = batches.accept(ack(2, 15, 5, 0));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->counts.unexpected_duplicates, 0u);
  EXPECT_TRUE(batches.empty());
}

TEST(InFlightBatches, RefusesAnAckThatDoesNotFitAndKeepsTheBatch) {
  InFlightBatches batches;
  batches.sent({7, 100, 3, 0});
  const struct {
    regwatch::v1::Ack ack;
    const char* says;
  } bad[] = {
      {ack(8, 100, 3, 0), "expected batch 7"},        // out of order / unknown batch
      {ack(7, 101, 3, 0), "ends at seq 100"},         // claims more than was sent
      {ack(7, 100, 2, 0), "the batch had 3 events"},  // counts do not add up
      {ack(7, 100, 4000000000u, 4000000000u), "the batch had 3 events"},
  };
  for (const auto& b : bad) {
    auto taken = batches.accept(b.ack);
    ASSERT_FALSE(taken.ok());
    EXPECT_EQ(taken.error().code, "bad_ack");
    EXPECT_NE(taken.error().message.find(b.says), std::string::npos) << taken.error().message;
    EXPECT_EQ(batches.size(), 1u);
  }
  EXPECT_TRUE(batches.accept(ack(7, 100, 1, 2)).ok());
}

TEST(InFlightBatches, RefusesAnAckWithNothingInFlight) {
  InFlightBatches batches;
  auto taken = batches.accept(ack(1, 1, 1, 0));
  ASSERT_FALSE(taken.ok());
  EXPECT_NE(taken.error().message.find("none in flight"), std::string::npos);
}

}  // namespace
}  // namespace regwatch::agent::shipper
