// The commit queue with a store that becomes unavailable (a fake EventSink that answers as the
// test says, and can hold a call as a silent server does until the writer's deadline): the
// batches queued behind the failing one fail at once, not tried; new ones are refused at once
// until the retry interval has passed on the queue's clock; then one batch tries the store and
// the others are refused while it is out; with no batch, the queue tries the store itself after
// a longer interval; a store that answers, even with another error, takes the queue back to
// committing. Also StoreAvailability's rules on their own.
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "collector/ingest/commit_queue.h"
#include "collector/ingest/store_availability.h"

namespace regwatch::collector::ingest {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kNow = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z
constexpr auto kWait = 10s;                      // only a failing test waits this long

// An EventSink whose calls end as the test scripts them: each insert takes the next outcome
// ("" = stored, else an error code), waiting first, when the test holds it, until released.
class ScriptedSink final : public store::EventSink {
 public:
  struct Script {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::string> outcomes;  // empty: every insert succeeds
    bool hold = false;                 // inserts wait until the test releases them
    int entered = 0;                   // inserts started
    int inserts = 0;                   // inserts finished
    int prunes = 0;                    // prune calls (the idle probe's too)
    bool prune_unavailable = false;    // prunes fail "unavailable"
  };
  explicit ScriptedSink(Script& script) : script_(script) {}

  Result<InsertOutcome> insert_batch(std::span<const v1::Event> events, int64_t,
                                     std::string_view) override {
    return insert(events.size());
  }
  Result<InsertOutcome> insert_batch(const google::protobuf::RepeatedPtrField<v1::Event>& events,
                                     int64_t, std::string_view,
                                     std::span<const std::string>) override {
    return insert(static_cast<size_t>(events.size()));
  }
  Result<uint64_t> prune_stored_before(int64_t, uint32_t) override {
    std::lock_guard lock(script_.mutex);
    ++script_.prunes;
    script_.changed.notify_all();
    if (script_.prune_unavailable) return make_error("unavailable", "scripted unavailable");
    return uint64_t{0};
  }
  int schema_version() const override { return 1; }

 private:
  Result<InsertOutcome> insert(size_t events) {
    std::unique_lock lock(script_.mutex);
    ++script_.entered;
    script_.changed.notify_all();
    script_.changed.wait(lock, [&] { return !script_.hold; });
    ++script_.inserts;
    std::string outcome;
    if (!script_.outcomes.empty()) {
      outcome = script_.outcomes.front();
      script_.outcomes.pop_front();
    }
    if (!outcome.empty()) return make_error(outcome, "scripted " + outcome);
    return InsertOutcome{static_cast<uint32_t>(events), 0};
  }
  Script& script_;
};

v1::EventBatch batch(uint64_t id) {
  v1::EventBatch b;
  b.set_batch_id(id);
  auto* e = b.add_events();
  e->set_agent_id("edge-1");
  e->set_seq(id);
  e->set_event_time_us(kNow);
  return b;
}

// Completions, in the order they ran (the commit thread's), for the test thread.
struct Completions {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<uint64_t, std::string>> done;  // batch id, "" or the error message

  CommitDone for_batch(uint64_t id) {
    return [this, id](const CommitResult& r) {
      std::lock_guard lock(mutex);
      done.emplace_back(id, r.ok() ? "" : r.error().code + ": " + r.error().message);
      changed.notify_all();
    };
  }
  bool wait_for(size_t count) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, kWait, [&] { return done.size() >= count; });
  }
};

class CommitQueueUnavailableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CommitQueueOptions options;
    options.retention_days = 0;
    options.store_retry_after = 1s;
    queue_ = std::make_unique<CommitQueue>(std::make_unique<ScriptedSink>(script_),
                                           std::move(options), clock_);
  }
  void TearDown() override {
    release();
    queue_.reset();
  }
  void hold() {
    std::lock_guard lock(script_.mutex);
    script_.hold = true;
  }
  void release() {
    std::lock_guard lock(script_.mutex);
    script_.hold = false;
    script_.changed.notify_all();
  }
  void script(std::initializer_list<std::string> outcomes) {
    std::lock_guard lock(script_.mutex);
    script_.outcomes.insert(script_.outcomes.end(), outcomes);
  }
  bool wait_entered(int count) {
    std::unique_lock lock(script_.mutex);
    return script_.changed.wait_for(lock, kWait, [&] { return script_.entered >= count; });
  }
  int inserts() {
    std::lock_guard lock(script_.mutex);
    return script_.inserts;
  }
  // Makes the store unavailable: one batch fails "unavailable" (its completion is awaited).
  void fail_one(uint64_t id) {
    script({"unavailable"});
    size_t before = 0;
    {
      std::lock_guard lock(completions_.mutex);
      before = completions_.done.size();
    }
    ASSERT_TRUE(queue_->submit(batch(id), completions_.for_batch(id)));
    ASSERT_TRUE(completions_.wait_for(before + 1));
  }

  ScriptedSink::Script script_;
  ManualClock clock_{kNow};
  Completions completions_;
  std::unique_ptr<CommitQueue> queue_;
};

TEST_F(CommitQueueUnavailableTest, QueuedBatchesFailAtOnceNotTriedWhenOneFindsTheStoreGone) {
  hold();  // the first batch waits, as for a silent server's reply
  script({"unavailable"});
  ASSERT_TRUE(queue_->submit(batch(1), completions_.for_batch(1)));
  ASSERT_TRUE(wait_entered(1));
  for (uint64_t id = 2; id <= 5; ++id) {
    ASSERT_TRUE(queue_->submit(batch(id), completions_.for_batch(id))) << id;
  }
  release();  // the deadline passes: batch 1 fails "unavailable"
  ASSERT_TRUE(completions_.wait_for(5));
  EXPECT_EQ(inserts(), 1) << "a batch queued behind the failure was tried";
  std::lock_guard lock(completions_.mutex);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(completions_.done[i].first, i + 1) << "completions out of order";
    EXPECT_TRUE(completions_.done[i].second.starts_with("unavailable: "))
        << completions_.done[i].second;
  }
  EXPECT_NE(completions_.done[1].second.find("not tried"), std::string::npos);
  EXPECT_NE(completions_.done[1].second.find("scripted unavailable"), std::string::npos)
      << "the not-tried error names the store's";
  const CommitQueueStats stats = queue_->stats();
  EXPECT_EQ(stats.failed_batches, 1u);
  EXPECT_EQ(stats.failed_unavailable, 4u);
  EXPECT_TRUE(stats.store_unavailable);
}

TEST_F(CommitQueueUnavailableTest, RefusesNewBatchesAtOnceUntilTheRetryIntervalThenOneTries) {
  fail_one(1);
  // Refused at once, done never called, with the store's words.
  for (uint64_t id = 2; id <= 4; ++id) {
    const Submitted refused = queue_->submit(batch(id), completions_.for_batch(id));
    EXPECT_FALSE(refused);
    EXPECT_EQ(refused.refusal, Submitted::Refusal::kStoreUnavailable);
    EXPECT_NE(refused.why.find("scripted unavailable"), std::string::npos) << refused.why;
  }
  clock_.advance_us(999'000);
  EXPECT_FALSE(queue_->submit(batch(5), completions_.for_batch(5))) << "before the interval";
  clock_.advance_us(1'000);
  // The interval has passed: the next batch tries the store; the others are refused while it
  // is out (it may wait out the whole deadline).
  hold();
  ASSERT_TRUE(queue_->submit(batch(6), completions_.for_batch(6)));
  ASSERT_TRUE(wait_entered(2));
  const Submitted during = queue_->submit(batch(7), completions_.for_batch(7));
  EXPECT_EQ(during.refusal, Submitted::Refusal::kStoreUnavailable) << "queued behind the probe";
  release();  // the store answers: committed
  ASSERT_TRUE(completions_.wait_for(2));
  {
    std::lock_guard lock(completions_.mutex);
    EXPECT_EQ(completions_.done[1], std::make_pair(uint64_t{6}, std::string()));
  }
  // Available again: batches go to the store as before.
  ASSERT_TRUE(queue_->submit(batch(8), completions_.for_batch(8)));
  ASSERT_TRUE(queue_->submit(batch(9), completions_.for_batch(9)));
  ASSERT_TRUE(completions_.wait_for(4));
  EXPECT_EQ(inserts(), 4);  // 1, 6, 8, 9
  const CommitQueueStats stats = queue_->stats();
  EXPECT_EQ(stats.refused_unavailable, 5u);  // 2, 3, 4, 5, 7
  EXPECT_EQ(stats.events_stored, 3u);
  EXPECT_FALSE(stats.store_unavailable);
}

TEST_F(CommitQueueUnavailableTest, AProbeThatFailsAgainWaitsAnotherInterval) {
  fail_one(1);
  clock_.advance_us(1'000'000);
  fail_one(2);  // the probe: the store is still gone
  EXPECT_FALSE(queue_->submit(batch(3), completions_.for_batch(3)))
      << "the interval starts again at the probe's failure";
  clock_.advance_us(1'000'000);
  ASSERT_TRUE(queue_->submit(batch(4), completions_.for_batch(4)));
  ASSERT_TRUE(completions_.wait_for(3));
  EXPECT_EQ(inserts(), 3);
  EXPECT_FALSE(queue_->stats().store_unavailable);
}

TEST_F(CommitQueueUnavailableTest, OtherErrorsFailOnlyTheirBatch) {
  // disk_full, busy...: the server answered; the batches behind may well commit.
  hold();
  script({"disk_full"});
  ASSERT_TRUE(queue_->submit(batch(1), completions_.for_batch(1)));
  ASSERT_TRUE(wait_entered(1));
  ASSERT_TRUE(queue_->submit(batch(2), completions_.for_batch(2)));
  release();
  ASSERT_TRUE(completions_.wait_for(2));
  EXPECT_EQ(inserts(), 2);
  std::lock_guard lock(completions_.mutex);
  EXPECT_TRUE(completions_.done[0].second.starts_with("disk_full")) << completions_.done[0].second;
  EXPECT_EQ(completions_.done[1].second, "");
  EXPECT_FALSE(queue_->stats().store_unavailable);
  EXPECT_EQ(queue_->stats().failed_unavailable, 0u);
}

TEST_F(CommitQueueUnavailableTest, AProbeAnsweredWithAnotherErrorEndsTheOutage) {
  fail_one(1);
  clock_.advance_us(1'000'000);
  script({"disk_full"});  // the server replied: it is reachable
  ASSERT_TRUE(queue_->submit(batch(2), completions_.for_batch(2)));
  ASSERT_TRUE(completions_.wait_for(2));
  EXPECT_FALSE(queue_->stats().store_unavailable);
  EXPECT_TRUE(queue_->submit(batch(3), completions_.for_batch(3)));
}

// No batch comes (the agents went elsewhere): the commit thread tries the store itself, once
// the idle interval has passed on the queue's clock, and finds it back.
TEST_F(CommitQueueUnavailableTest, WithNoBatchTheQueueTriesTheStoreItselfAfterTheIdleInterval) {
  {
    std::lock_guard lock(script_.mutex);
    script_.prune_unavailable = true;
  }
  fail_one(1);
  clock_.advance_us(10'000'000);  // store_idle_probe_after's default
  // The first idle probe fails; once its outcome is noted, the store comes back.
  const auto probed = std::chrono::steady_clock::now() + kWait;
  while (queue_->stats().idle_probes < 1 && std::chrono::steady_clock::now() < probed) {
    std::unique_lock lock(script_.mutex);
    script_.changed.wait_for(lock, 10ms);  // the poll's interval, not a synchronisation
  }
  ASSERT_EQ(queue_->stats().idle_probes, 1u);
  {
    std::lock_guard lock(script_.mutex);
    EXPECT_EQ(script_.prunes, 1);
    script_.prune_unavailable = false;
  }
  EXPECT_TRUE(queue_->stats().store_unavailable);
  EXPECT_FALSE(queue_->submit(batch(2), completions_.for_batch(2))) << "before the next probe";
  clock_.advance_us(10'000'000);
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (queue_->stats().store_unavailable && std::chrono::steady_clock::now() < deadline) {
    std::unique_lock lock(script_.mutex);
    script_.changed.wait_for(lock, 10ms);  // the poll's interval, not a synchronisation
  }
  EXPECT_FALSE(queue_->stats().store_unavailable) << "the idle probe found the store back";
  EXPECT_EQ(inserts(), 1) << "no batch was needed";
  EXPECT_TRUE(queue_->submit(batch(3), completions_.for_batch(3)));
}

TEST(StoreAvailabilityTest, TransitionsAreReportedOncePerOutage) {
  StoreAvailability store(1'000'000);
  EXPECT_TRUE(store.admit(kNow));
  EXPECT_FALSE(store.answered()) << "available already: no transition";
  EXPECT_TRUE(store.failed_unavailable(kNow, "gone"));
  EXPECT_FALSE(store.failed_unavailable(kNow + 5, "still gone")) << "one transition an outage";
  EXPECT_EQ(store.unavailable_since_us(), kNow);
  EXPECT_EQ(store.why(), "still gone");
  EXPECT_TRUE(store.answered());
  EXPECT_FALSE(store.unavailable());
}

TEST(StoreAvailabilityTest, OneProbeAtATime) {
  StoreAvailability store(1'000'000);
  store.failed_unavailable(kNow, "gone");
  EXPECT_FALSE(store.admit(kNow + 999'999));
  EXPECT_TRUE(store.admit(kNow + 1'000'000));
  EXPECT_FALSE(store.admit(kNow + 2'000'000)) << "a second probe while the first is out";
  store.failed_unavailable(kNow + 2'000'000, "gone");  // the probe's outcome
  EXPECT_TRUE(store.admit(kNow + 3'000'000));
}

TEST(StoreAvailabilityTest, TheIdleProbeWaitsItsOwnIntervalAndNeverWhileAvailable) {
  StoreAvailability store(1'000'000);
  EXPECT_FALSE(store.admit_idle(kNow, 10'000'000)) << "available: nothing to probe";
  store.failed_unavailable(kNow, "gone");
  EXPECT_FALSE(store.admit_idle(kNow + 9'999'999, 10'000'000));
  EXPECT_TRUE(store.admit_idle(kNow + 10'000'000, 10'000'000));
  EXPECT_FALSE(store.admit(kNow + 10'000'000)) << "a batch while the idle probe is out";
}

TEST(StoreAvailabilityTest, AClockSetBackMakesTheProbeDueAtOnce) {
  StoreAvailability store(1'000'000);
  store.failed_unavailable(kNow, "gone");
  // Not an hour's wait for a wall clock set back an hour.
  EXPECT_TRUE(store.admit(kNow - 3'600'000'000));
}

}  // namespace
}  // namespace regwatch::collector::ingest
