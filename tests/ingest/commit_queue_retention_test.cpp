// The commit queue's retention: with an AlertingRetention it prunes what alerting keeps to the
// events' cutoff, beside the events' own prune; without one it prunes the events only.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "collector/ingest/commit_queue.h"
#include "collector/store/alerting_retention.h"
#include "collector/store/database.h"
#include "collector/store/event_writer.h"
#include "common/clock.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::ingest {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kDayUs = 86400LL * 1'000'000;

class CommitQueueRetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-commit-queue-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "events.db").string());
    auto writer = store::EventWriter::open(path_);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    writer_ = std::move(writer).value();
    // One episode and one silence that ended 100 days ago, one of each still current.
    const std::string old_end = std::to_string(clock_.now_us() - 100 * kDayUs);
    const std::string recent_end = std::to_string(clock_.now_us() - kDayUs);
    ASSERT_TRUE(store::exec(writer_->database(),
                            ("INSERT INTO condition_alerts (key, identity, state, starts_us, "
                             "updated_us, ends_us, record) VALUES ('old', 'a', 'resolved', 0, 0, " +
                             old_end + ", ''), ('recent', 'a', 'resolved', 0, 0, " + recent_end +
                             ", '');"
                             "INSERT INTO silences (id, matchers, starts_us, ends_us, author, "
                             "comment, created_us) VALUES ('s-old', '{}', 0, " +
                             old_end + ", 'noc', '', 0), ('s-recent', '{}', 0, " + recent_end +
                             ", 'noc', '', 0);")
                                .c_str())
                    .ok());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // One batch through a queue, then stop(): the queue prunes after each batch, so by the time
  // stop() returns the retention has run once.
  void commit_one_batch(std::unique_ptr<store::AlertingRetention> alerting) {
    CommitQueueOptions options;
    options.retention_days = 90;
    CommitQueue queue(std::move(writer_), options, clock_, std::move(alerting));
    regwatch::v1::EventBatch batch;
    auto* event = batch.add_events();
    event->set_agent_id("a1");
    event->set_seq(1);
    event->set_event_time_us(clock_.now_us());
    event->set_kind(regwatch::v1::LINK_DOWN);
    bool stored = false;
    ASSERT_TRUE(queue.submit(std::move(batch), [&](const CommitResult& result) {
      stored = result.ok() && result->stored == 1;
    }));
    queue.stop();
    EXPECT_TRUE(stored);
  }
  size_t rows(const char* sql) {
    auto db = store::open_database(path_, true, 5000);
    EXPECT_TRUE(db.ok());
    auto statement = std::move(store::Statement::prepare(db->get(), sql)).value();
    EXPECT_EQ(statement.step(), store::kStepRow);
    return static_cast<size_t>(statement.column_int(0));
  }

  ManualClock clock_{200 * kDayUs};
  fs::path dir_;
  std::string path_;
  std::unique_ptr<store::EventWriter> writer_;
};

TEST_F(CommitQueueRetentionTest, WithAlertingRetentionEndedEpisodesAndSilencesArePruned) {
  auto alerting = store::AlertingRetention::open(path_);
  ASSERT_TRUE(alerting.ok()) << alerting.error().message;
  commit_one_batch(std::move(alerting).value());
  EXPECT_EQ(rows("SELECT count(*) FROM condition_alerts"), 1u);
  EXPECT_EQ(rows("SELECT count(*) FROM silences"), 1u);
  EXPECT_EQ(rows("SELECT count(*) FROM events"), 1u);  // stored now: within retention
}

TEST_F(CommitQueueRetentionTest, WithoutItOnlyEventsArePruned) {
  commit_one_batch(nullptr);
  EXPECT_EQ(rows("SELECT count(*) FROM condition_alerts"), 2u);
  EXPECT_EQ(rows("SELECT count(*) FROM silences"), 2u);
  EXPECT_EQ(rows("SELECT count(*) FROM events"), 1u);
}

}  // namespace
}  // namespace regwatch::collector::ingest
