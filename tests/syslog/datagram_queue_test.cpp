// DatagramQueue: the bounded hand-over between the UDP receive thread and the
// line thread (issue 17). Pure: no sockets, no sleeps.
#include "agent/syslog/datagram_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace regwatch::agent::syslog {
namespace {

Datagram datagram(const std::string& payload) {
  return Datagram{payload, sockaddr_storage{}, 0, false};
}

std::vector<Datagram> batch_of(size_t first, size_t count) {
  std::vector<Datagram> batch;
  for (size_t i = first; i < first + count; ++i) batch.push_back(datagram(std::to_string(i)));
  return batch;
}

std::vector<std::string> payloads(const std::vector<Datagram>& batch) {
  std::vector<std::string> out;
  for (const auto& d : batch) out.push_back(d.payload);
  return out;
}

TEST(DatagramQueue, ComesOutInTheOrderItWentIn) {
  DatagramQueue queue({100, 1 << 20});
  auto first = batch_of(0, 3);
  auto second = batch_of(3, 2);
  EXPECT_EQ(queue.push(first), 3u);
  EXPECT_EQ(queue.push(second), 2u);
  EXPECT_TRUE(first.empty());
  std::vector<Datagram> out;
  ASSERT_TRUE(queue.pop(out, 4));
  EXPECT_EQ(payloads(out), (std::vector<std::string>{"0", "1", "2", "3"}));
  ASSERT_TRUE(queue.pop(out, 4));
  EXPECT_EQ(payloads(out), (std::vector<std::string>{"4"}));
  EXPECT_EQ(queue.stats().pushed, 5u);
  EXPECT_EQ(queue.stats().depth, 0u);
  EXPECT_EQ(queue.stats().bytes, 0u);
}

TEST(DatagramQueue, FullByCountDropsAndCountsTheRest) {
  DatagramQueue queue({3, 1 << 20});
  auto batch = batch_of(0, 5);
  EXPECT_EQ(queue.push(batch), 3u);
  const auto stats = queue.stats();
  EXPECT_EQ(stats.pushed, 3u);
  EXPECT_EQ(stats.full_drops, 2u);
  EXPECT_EQ(stats.depth, 3u);
  EXPECT_EQ(stats.peak_depth, 3u);
  std::vector<Datagram> out;
  ASSERT_TRUE(queue.pop(out, 10));
  EXPECT_EQ(payloads(out), (std::vector<std::string>{"0", "1", "2"}));  // the oldest kept
  auto more = batch_of(5, 1);
  EXPECT_EQ(queue.push(more), 1u);  // room again once popped
}

TEST(DatagramQueue, FullByBytesCountsEntryOverheadToo) {
  const Datagram probe = datagram("x");
  const size_t one = DatagramQueue::cost(probe);
  EXPECT_GT(one, sizeof(Datagram) - 1);
  DatagramQueue queue({1000, 2 * one});
  std::vector<Datagram> batch;
  for (int i = 0; i < 3; ++i) batch.push_back(datagram("x"));
  EXPECT_EQ(queue.push(batch), 2u);
  EXPECT_EQ(queue.stats().full_drops, 1u);
  EXPECT_EQ(queue.stats().bytes, 2 * one);
}

TEST(DatagramQueue, CloseLetsTheConsumerDrainThenEnds) {
  DatagramQueue queue({10, 1 << 20});
  auto batch = batch_of(0, 2);
  queue.push(batch);
  queue.close();
  auto late = batch_of(2, 1);
  EXPECT_EQ(queue.push(late), 0u);  // after close: refused, counted
  EXPECT_EQ(queue.stats().full_drops, 1u);
  std::vector<Datagram> out;
  ASSERT_TRUE(queue.pop(out, 10));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_FALSE(queue.pop(out, 10));
  EXPECT_TRUE(out.empty());
}

TEST(DatagramQueue, DiscardAllCountsWhatWasLeft) {
  DatagramQueue queue({10, 1 << 20});
  auto batch = batch_of(0, 4);
  queue.push(batch);
  EXPECT_EQ(queue.discard_all(), 4u);
  const auto stats = queue.stats();
  EXPECT_EQ(stats.discarded, 4u);
  EXPECT_EQ(stats.depth, 0u);
  EXPECT_EQ(stats.bytes, 0u);
}

TEST(DatagramQueue, ConsumerWaitsForAProducerOnAnotherThread) {
  DatagramQueue queue({1000, 1 << 20});
  constexpr size_t kTotal = 10'000;
  std::thread producer([&] {
    for (size_t i = 0; i < kTotal; i += 10) {
      auto batch = batch_of(i, 10);
      queue.push(batch);
    }
    queue.close();
  });
  std::vector<Datagram> out;
  size_t next = 0;
  size_t dropped_seen = 0;
  while (queue.pop(out, 64)) {
    for (const auto& d : out) {
      const size_t n = std::stoul(d.payload);
      EXPECT_GE(n, next);  // in order; gaps only where the queue was full
      next = n + 1;
    }
  }
  producer.join();
  const auto stats = queue.stats();
  dropped_seen = stats.full_drops;
  EXPECT_EQ(stats.pushed + dropped_seen, kTotal);
}

}  // namespace
}  // namespace regwatch::agent::syslog
