// The readers of the alerting stores' tables, on a real SQLite file: the receivers' delivery
// counts for Query.Status (OutboxStatusReader) and the condition alerts for Query.Alerts
// (ConditionAlertReader).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>

#include "collector/store/condition_alert_reader.h"
#include "collector/store/database.h"
#include "collector/store/event_writer.h"
#include "collector/store/outbox_status_reader.h"
#include "common/record_bytes.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;

class TableReadersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-readers-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "events.db").string());
    auto writer = EventWriter::open(path_);  // creates the schema
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    writer_ = std::move(writer).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<EventWriter> writer_;
};

TEST_F(TableReadersTest, OutboxStatusCountsEachReceiversPagesAndKeepsItsLastError) {
  ASSERT_TRUE(exec(writer_->database(),
                   "INSERT INTO alert_outbox (receiver, alert_key, seq, status, reason, "
                   "created_us, due_us, attempts, delivered_us, given_up, last_error) VALUES "
                   "('pager', 'k1', 1, 'firing', 'first', 0, 0, 2, 10, 0, 'timeout'), "
                   "('pager', 'k2', 1, 'firing', 'first', 0, 0, 3, NULL, 0, 'refused'), "
                   "('pager', 'k3', 1, 'firing', 'first', 0, 0, 5, NULL, 1, NULL), "
                   "('mail', 'k1', 1, 'firing', 'first', 0, 0, 1, 10, 0, NULL);")
                  .ok());
  auto reader = OutboxStatusReader::open(path_);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  regwatch::v1::StatusReply reply;
  ASSERT_TRUE((*reader)->add_receivers(reply).ok());
  ASSERT_EQ(reply.receivers_size(), 2);
  const auto& mail = reply.receivers(0);
  EXPECT_EQ(mail.receiver(), "mail");
  EXPECT_EQ(mail.delivered(), 1u);
  EXPECT_EQ(mail.failed_attempts(), 0u);
  const auto& pager = reply.receivers(1);
  EXPECT_EQ(pager.receiver(), "pager");
  EXPECT_EQ(pager.pending(), 1u);
  EXPECT_EQ(pager.delivered(), 1u);
  EXPECT_EQ(pager.given_up(), 1u);
  EXPECT_EQ(pager.failed_attempts(), 1u + 3u + 5u);
  EXPECT_EQ(pager.last_error(), "refused");  // the newest page's that has one
}

TEST_F(TableReadersTest, ConditionAlertsFiringFirstAndResolvedOnlyWhenAsked) {
  // Each row's record names its key, so the test can tell which came back; bound, as a blob
  // literal is written differently on each backend.
  auto insert = std::move(Statement::prepare(
                              writer_->database(),
                              "INSERT INTO condition_alerts (key, identity, state, starts_us, "
                              "updated_us, ends_us, record) VALUES (?1, 'x', ?2, ?3, ?4, ?5, ?6)"))
                    .value();
  const auto add = [&](const char* key, const char* state, int64_t starts, int64_t updated,
                       std::optional<int64_t> ends) {
    regwatch::v1::Alert alert;
    alert.set_id(key);
    insert.reset();
    insert.bind(1, key);
    insert.bind(2, state);
    insert.bind(3, starts);
    insert.bind(4, updated);
    if (ends) {
      insert.bind(5, *ends);
    } else {
      insert.bind_null(5);
    }
    insert.bind_blob(6, deterministic_bytes(alert));
    return insert.step();
  };
  ASSERT_EQ(add("a", "firing", 10, 10, std::nullopt), kStepDone);
  ASSERT_EQ(add("b", "resolved", 20, 30, 30), kStepDone);
  ASSERT_EQ(add("c", "resolved", 5, 6, 6), kStepDone);
  auto reader = ConditionAlertReader::open(path_);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  regwatch::v1::AlertQuery q;
  auto firing = (*reader)->alerts(q);
  ASSERT_TRUE(firing.ok()) << firing.error().message;
  ASSERT_EQ(firing->alerts_size(), 1);
  EXPECT_EQ(firing->alerts(0).id(), "a");
  q.set_resolved_too(true);
  q.set_since_us(25);
  auto recent = (*reader)->alerts(q);
  ASSERT_TRUE(recent.ok()) << recent.error().message;
  ASSERT_EQ(recent->alerts_size(), 2);
  EXPECT_EQ(recent->alerts(1).id(), "b");
}

}  // namespace
}  // namespace regwatch::collector::store
