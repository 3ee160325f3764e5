// decode_batch, the pure part of reading an Ingest message: a batch comes back as it was sent,
// in one slice or several; the size limit holds at its value and refuses one byte more (before
// parsing); bytes that are not a batch are refused by name; an empty message is an empty batch.
#include "collector/ingest/ingest_message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "collector/store/stored_payload.h"

namespace regwatch::collector::ingest {
namespace {

grpc::ByteBuffer buffer_of(const std::vector<std::string>& parts) {
  std::vector<grpc::Slice> slices;
  slices.reserve(parts.size());
  for (const auto& part : parts) slices.emplace_back(part);
  return grpc::ByteBuffer(slices.data(), slices.size());
}

v1::EventBatch sample() {
  v1::EventBatch batch;
  batch.set_batch_id(9);
  batch.set_spool_incarnation("inc-1");
  auto* event = batch.add_events();
  event->set_agent_id("edge-1");
  event->set_seq(4);
  event->set_raw("a syslog line");
  return batch;
}

TEST(IngestMessage, ABatchIsReadBackWholeFromOneSliceOrSeveral) {
  const std::string wire = sample().SerializeAsString();
  for (const auto& parts :
       {std::vector<std::string>{wire},
        std::vector<std::string>{wire.substr(0, 5), wire.substr(5, 7), wire.substr(12)}}) {
    grpc::ByteBuffer message = buffer_of(parts);
    auto batch = decode_batch(message, wire.size());
    ASSERT_TRUE(batch.ok()) << batch.error().message;
    EXPECT_EQ((*batch)->get().SerializeAsString(), wire);
    EXPECT_GT((*batch)->bytes_in_memory(), 0u);
    EXPECT_EQ(message.Length(), wire.size());  // left as it was
  }
}

TEST(IngestMessage, TheSizeLimitHoldsAtItsValueAndRefusesOneByteMore) {
  const std::string wire = sample().SerializeAsString();
  grpc::ByteBuffer message = buffer_of({wire});
  EXPECT_TRUE(decode_batch(message, wire.size()).ok());
  auto refused = decode_batch(message, wire.size() - 1);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, kRejectTooLarge);
  EXPECT_EQ(refused.error().message, "larger than ingest.max_message_bytes (" +
                                         std::to_string(wire.size()) + " vs. " +
                                         std::to_string(wire.size() - 1) + " bytes)");
}

TEST(IngestMessage, BytesThatAreNotABatchAreRefusedByName) {
  std::string truncated = sample().SerializeAsString();
  truncated.pop_back();
  grpc::ByteBuffer message = buffer_of({truncated});
  auto refused = decode_batch(message, 1 << 20);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, kRejectUnparsable);
  EXPECT_EQ(refused.error().message, "not a regwatch.v1.EventBatch (" +
                                         std::to_string(truncated.size()) +
                                         " bytes that do not parse as one)");
}

TEST(IngestMessage, AnEmptyMessageIsAnEmptyBatch) {
  grpc::ByteBuffer message = buffer_of({""});
  auto batch = decode_batch(message, 0);
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_EQ((*batch)->get().events_size(), 0);
  grpc::ByteBuffer none;  // no buffer at all: the same
  EXPECT_TRUE(decode_batch(none, 0).ok());
}

TEST(IngestMessage, AnAckIsEncodedAsTheTypedMethodWould) {
  v1::Ack ack;
  ack.set_batch_id(3);
  ack.set_last_seq(40);
  ack.set_stored(7);
  grpc::ByteBuffer encoded = encode_ack(ack);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(encoded.Dump(&slices).ok());
  std::string bytes;
  for (const auto& slice : slices)
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  EXPECT_EQ(bytes, ack.SerializeAsString());
}

// The stream's thread makes each event's stored payload before the batch is queued: they read
// back as the events, in order, and the memory the batch holds counts them.
TEST(IngestMessage, PreparedPayloadsAreEachEventsStoredFormInOrder) {
  v1::EventBatch sent = sample();
  *sent.add_events() = sent.events(0);
  sent.mutable_events(1)->set_seq(5);
  sent.mutable_events(1)->set_raw(std::string(3000, 'x'));
  const std::string wire = sent.SerializeAsString();
  grpc::ByteBuffer message = buffer_of({wire});
  auto batch = decode_batch(message, wire.size());
  ASSERT_TRUE(batch.ok()) << batch.error().message;
  EXPECT_TRUE((*batch)->stored_payloads().empty());
  const size_t before = (*batch)->bytes_in_memory();
  (*batch)->prepare_stored_payloads();
  const auto& payloads = (*batch)->stored_payloads();
  ASSERT_EQ(payloads.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    v1::Event read;
    ASSERT_TRUE(store::decode_stored_payload(payloads[static_cast<size_t>(i)], read));
    EXPECT_EQ(read.SerializeAsString(), sent.events(i).SerializeAsString());
  }
  EXPECT_GE((*batch)->bytes_in_memory(), before + payloads[0].size() + payloads[1].size());
}

}  // namespace
}  // namespace regwatch::collector::ingest
