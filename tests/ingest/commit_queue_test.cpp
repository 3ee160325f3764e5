// The collector's single writer, at real SQLite in a temp dir: batches commit in the order
// they were submitted, each (agent, incarnation, seq) is stored once, a batch's completion
// runs only once its events are readable, a failing store fails the batch (stored nothing,
// not counted as stored), and retention prunes by the injected clock.
#include "collector/ingest/commit_queue.h"
#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"
#include "tests/store/test_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <vector>

namespace regwatch::collector::ingest {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int64_t kNow = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z
constexpr int64_t kDayUs = 86'400'000'000;
constexpr auto kWait = 10s;  // only a failing test waits this long

v1::EventBatch batch(uint64_t batch_id, const std::string& agent, uint64_t first_seq, int events,
                     const std::string& incarnation = "inc-1", int64_t time_us = kNow) {
  v1::EventBatch b;
  b.set_batch_id(batch_id);
  b.set_spool_incarnation(incarnation);
  for (int i = 0; i < events; ++i) {
    auto* e = b.add_events();
    e->set_agent_id(agent);
    e->set_seq(first_seq + static_cast<uint64_t>(i));
    e->set_event_time_us(time_us + i);
    e->set_receive_time_us(time_us + i);
    e->set_origin("ucm-sub1");
    e->set_kind(v1::PHONE_UNREGISTERED);
    e->mutable_phone()->set_device_name("SEP00000000000" + std::to_string(i % 10));
  }
  return b;
}

// A completion's outcome, handed over to the test thread.
struct Outcome {
  bool ok = false;
  uint32_t stored = 0;
  uint32_t duplicates = 0;
  std::string error;
};

class CommitQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-commitq-XXXXXX";
    dir_ = mkdtemp(templ);
    db_ = regwatch::test::test_store_location((dir_ / "events.db").string());
  }
  void TearDown() override {
    queue_.reset();
    fs::remove_all(dir_);
  }

  void start(CommitQueueOptions options = {}) {
    auto writer = store::EventWriter::open(db_);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    queue_ = std::make_unique<CommitQueue>(std::move(writer).value(), std::move(options), clock_);
  }

  // Submits and waits for the completion.
  Outcome commit(v1::EventBatch b) {
    std::promise<Outcome> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(queue_->submit(std::move(b), [&](const CommitResult& r) {
      Outcome o;
      o.ok = r.ok();
      if (r.ok()) {
        o.stored = r->stored;
        o.duplicates = r->duplicates;
      } else {
        o.error = r.error().message;
      }
      promise.set_value(o);
    }));
    EXPECT_EQ(future.wait_for(kWait), std::future_status::ready) << "no completion";
    return future.get();
  }

  uint64_t stored_events() {
    auto reader = store::EventReader::open(db_);
    EXPECT_TRUE(reader.ok());
    auto status = (*reader)->status();
    EXPECT_TRUE(status.ok());
    return status->total_events();
  }

  // Makes every insert into the events table fail (the real store, failing), until healed; on
  // a connection of the test's own, as the queue's belongs to its thread.
  void break_store() {
    auto db = store::open_database(db_, false, 5000);
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto broken = regwatch::test::break_event_inserts(db->get());
    ASSERT_TRUE(broken.ok()) << broken.error().message;
  }
  void heal_store() {
    auto db = store::open_database(db_, false, 5000);
    ASSERT_TRUE(db.ok()) << db.error().message;
    auto healed = regwatch::test::heal_event_inserts(db->get());
    ASSERT_TRUE(healed.ok()) << healed.error().message;
  }

  fs::path dir_;
  std::string db_;
  ManualClock clock_{kNow};
  std::unique_ptr<CommitQueue> queue_;
};

TEST_F(CommitQueueTest, CommitsInSubmitOrderAndCompletesOnlyWhatIsReadable) {
  start();
  auto reader = store::EventReader::open(db_);
  ASSERT_TRUE(reader.ok());
  std::mutex mutex;
  std::condition_variable all_done;
  std::vector<uint64_t> order;
  std::vector<uint64_t> visible_at_completion;  // events readable when batch i completed
  constexpr int kBatches = 12;
  for (int i = 1; i <= kBatches; ++i) {
    ASSERT_TRUE(queue_->submit(
        batch(static_cast<uint64_t>(i), "edge-1", static_cast<uint64_t>(i - 1) * 5 + 1, 5),
        [&, i](const CommitResult& r) {
          ASSERT_TRUE(r.ok()) << r.error().message;
          // On the commit thread, the only user of this reader until the test reads `order`.
          auto status = (*reader)->status();
          std::lock_guard lock(mutex);
          order.push_back(static_cast<uint64_t>(i));
          visible_at_completion.push_back(status.ok() ? status->total_events() : 0);
          all_done.notify_all();
        }));
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(all_done.wait_for(lock, kWait, [&] { return order.size() == kBatches; }));
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(order[i], i + 1);
    // A completion is an ack's licence: the batch is committed and readable by then.
    EXPECT_EQ(visible_at_completion[i], (i + 1) * 5);
  }
  const auto stats = queue_->stats();
  EXPECT_EQ(stats.batches, uint64_t{kBatches});
  EXPECT_EQ(stats.events_stored, uint64_t{kBatches} * 5);
  EXPECT_EQ(stats.duplicates, 0u);
}

TEST_F(CommitQueueTest, StoresEachAgentIncarnationAndSeqOnce) {
  start();
  auto first = commit(batch(1, "edge-1", 1, 10));
  ASSERT_TRUE(first.ok) << first.error;
  EXPECT_EQ(first.stored, 10u);
  EXPECT_EQ(first.duplicates, 0u);
  // The same batch again (a resend after a reconnect): nothing new.
  auto resent = commit(batch(2, "edge-1", 1, 10));
  ASSERT_TRUE(resent.ok);
  EXPECT_EQ(resent.stored, 0u);
  EXPECT_EQ(resent.duplicates, 10u);
  // Overlapping: seqs 6..15, of which 6..10 are stored already.
  auto overlap = commit(batch(3, "edge-1", 6, 10));
  EXPECT_EQ(overlap.stored, 5u);
  EXPECT_EQ(overlap.duplicates, 5u);
  // The same seqs from a new spool incarnation, or from another agent, are new events.
  auto new_spool = commit(batch(4, "edge-1", 1, 10, "inc-2"));
  EXPECT_EQ(new_spool.stored, 10u);
  auto other_agent = commit(batch(5, "edge-2", 1, 10));
  EXPECT_EQ(other_agent.stored, 10u);
  EXPECT_EQ(stored_events(), 35u);
  const auto stats = queue_->stats();
  EXPECT_EQ(stats.batches, 5u);
  EXPECT_EQ(stats.events_stored, 35u);
  EXPECT_EQ(stats.duplicates, 15u);
  EXPECT_EQ(stats.failed_batches, 0u);
}

TEST_F(CommitQueueTest, AFailingStoreFailsTheBatchStoresNothingAndRecovers) {
  int stored_calls = 0;
  CommitQueueOptions options;
  options.on_stored = [&](int64_t, int64_t) { ++stored_calls; };  // commit thread only
  start(std::move(options));
  ASSERT_TRUE(commit(batch(1, "edge-1", 1, 3)).ok);
  break_store();
  auto failed = commit(batch(2, "edge-1", 4, 3));
  EXPECT_FALSE(failed.ok);
  EXPECT_NE(failed.error.find("disk is on fire"), std::string::npos) << failed.error;
  EXPECT_EQ(stored_events(), 3u);  // all of the batch or none of it
  auto stats = queue_->stats();
  EXPECT_EQ(stats.failed_batches, 1u);
  EXPECT_EQ(stats.events_stored, 3u);
  heal_store();
  // The agent resends the batch it had no ack for: now it is stored, once.
  auto resent = commit(batch(3, "edge-1", 4, 3));
  ASSERT_TRUE(resent.ok) << resent.error;
  EXPECT_EQ(resent.stored, 3u);
  EXPECT_EQ(resent.duplicates, 0u);
  EXPECT_EQ(stored_events(), 6u);
  EXPECT_EQ(stored_calls, 2);  // not for the failed batch
  stats = queue_->stats();
  EXPECT_EQ(stats.batches, 3u);
  EXPECT_EQ(stats.failed_batches, 1u);
}

TEST_F(CommitQueueTest, OnStoredGetsTheNewEventsTimeRangeAndNothingForDuplicates) {
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> ranges;
  CommitQueueOptions options;
  options.on_stored = [&](int64_t lo, int64_t hi) {
    std::lock_guard lock(mutex);
    ranges.emplace_back(lo, hi);
  };
  start(std::move(options));
  auto b = batch(1, "edge-1", 1, 4);
  b.mutable_events(2)->set_event_time_us(kNow - 1000);  // out of order within the batch
  ASSERT_TRUE(commit(b).ok);
  ASSERT_TRUE(commit(batch(2, "edge-1", 1, 4)).ok);  // all duplicates
  std::lock_guard lock(mutex);
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].first, kNow - 1000);
  EXPECT_EQ(ranges[0].second, kNow + 3);
}

TEST_F(CommitQueueTest, RefusesWhenFullOrStoppedAndStopCommitsWhatIsQueued) {
  CommitQueueOptions options;
  options.max_queued_batches = 2;
  start(std::move(options));
  // Hold the commit thread inside the first completion so the queue fills behind it.
  std::promise<void> entered, release;
  auto released = release.get_future().share();
  ASSERT_TRUE(queue_->submit(batch(1, "edge-1", 1, 1), [&](const CommitResult&) {
    entered.set_value();
    released.wait();
  }));
  ASSERT_EQ(entered.get_future().wait_for(kWait), std::future_status::ready);
  std::atomic<int> completed{0};
  const auto count = [&](const CommitResult& r) {
    if (r.ok()) ++completed;
  };
  EXPECT_TRUE(queue_->submit(batch(2, "edge-1", 2, 1), count));
  EXPECT_TRUE(queue_->submit(batch(3, "edge-1", 3, 1), count));
  EXPECT_FALSE(queue_->submit(batch(4, "edge-1", 4, 1), count)) << "a third queued batch";
  release.set_value();
  queue_->stop();  // commits batches 2 and 3 before the thread ends
  EXPECT_EQ(completed.load(), 2);
  EXPECT_EQ(stored_events(), 3u);
  EXPECT_FALSE(queue_->submit(batch(5, "edge-1", 5, 1), count)) << "accepted after stop";
}

TEST_F(CommitQueueTest, RetentionPrunesByTheClockAfterBatches) {
  CommitQueueOptions options;
  options.retention_days = 1;
  options.prune_every = std::chrono::seconds(60);
  start(std::move(options));
  ASSERT_TRUE(commit(batch(1, "edge-1", 1, 7)).ok);  // stored at kNow
  clock_.advance_us(2 * kDayUs);
  // Stored two days later; the prune after it removes the first batch (older than a day).
  ASSERT_TRUE(commit(batch(2, "edge-1", 8, 2)).ok);
  // Batch 3 is taken only after that prune ran on the same thread.
  ASSERT_TRUE(commit(batch(3, "edge-1", 10, 1)).ok);
  EXPECT_EQ(queue_->stats().pruned, 7u);
  EXPECT_EQ(stored_events(), 3u);
}

}  // namespace
}  // namespace regwatch::collector::ingest
