// The notification queue as a sequence per (receiver, alert): owed once after the last one
// read, sent in order, a resolve only after a page that was sent; and the old
// one-row-per-status outbox migrated into it in its order.
#include "collector/store/alert_outbox.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "collector/store/database.h"
#include "collector/store/event_writer.h"
#include "collector/store/migrations.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;

class AlertOutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-outbox-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "regwatch.db").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<AlertOutbox> open() {
    auto writer = EventWriter::open(path_);  // creates or migrates the schema
    EXPECT_TRUE(writer.ok()) << writer.error().message;
    auto outbox = AlertOutbox::open(path_);
    EXPECT_TRUE(outbox.ok());
    return std::move(outbox).value();
  }

  static Notice notice(v1::AlertStatus status, NoticeReason reason) {
    Notice n;
    n.status = status;
    n.reason = reason;
    n.told = "critical|cm_node|ucm-sub1|cm_cpu";
    return n;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(AlertOutboxTest, EachNotificationIsOwedOnceAfterTheLastOneRead) {
  auto outbox = open();
  const std::string key = "cm_node:ucm-sub1@1";
  ASSERT_FALSE(*outbox->last("pager", key));
  ASSERT_TRUE(
      *outbox->owe("pager", key, 0, notice(v1::ALERT_STATUS_FIRING, NoticeReason::kFirst), 10, 10));
  EXPECT_FALSE(*outbox->owe("pager", key, 0, notice(v1::ALERT_STATUS_FIRING, NoticeReason::kFirst),
                            11, 11));  // owed already
  ASSERT_TRUE(*outbox->owe("pager", key, 1,
                           notice(v1::ALERT_STATUS_RESOLVED, NoticeReason::kResolved), 12, 12));
  ASSERT_TRUE(*outbox->owe("pager", key, 2,
                           notice(v1::ALERT_STATUS_FIRING, NoticeReason::kReopened), 13, 13));
  const auto last = *outbox->last("pager", key);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->seq, 3);
  EXPECT_EQ(last->notice.reason, NoticeReason::kReopened);
  EXPECT_EQ(last->notice.told, "critical|cm_node|ucm-sub1|cm_cpu");
  EXPECT_TRUE(last->pending());
  // In order: the resolve waits for the page, the page after it for the resolve.
  const auto due = *outbox->due("pager", 100, 10);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_FALSE(*outbox->earlier_pending("pager", key, due[0].seq));
  EXPECT_TRUE(*outbox->earlier_pending("pager", key, due[1].seq));
  EXPECT_FALSE(*outbox->firing_told_before("pager", key, due[1].seq));  // not sent yet
  ASSERT_TRUE(outbox->delivered(due[0].id, 20).ok());
  EXPECT_TRUE(*outbox->firing_told_before("pager", key, due[1].seq));
  EXPECT_EQ(*outbox->told_firing("pager"), std::vector<std::string>{});  // a resolve is owed
  ASSERT_TRUE(outbox->delivered(due[1].id, 21).ok());
  ASSERT_TRUE(outbox->delivered(due[2].id, 22).ok());
  EXPECT_EQ(*outbox->told_firing("pager"), std::vector<std::string>{key});
  EXPECT_EQ((*outbox->last_delivered("pager", key))->seq, 3);
  // Pages of the scope: the first and the reopened one.
  EXPECT_EQ(*outbox->pages_like("pager", "cm_node:ucm-sub1@", 0), 2u);
  EXPECT_EQ(*outbox->pages_like("pager", "cm_node:ucm-sub2@", 0), 0u);
  EXPECT_EQ(*outbox->pages_like("pager", "cm_node:ucm-sub1@", 13), 1u);
}

TEST_F(AlertOutboxTest, TheOldOutboxIsMigratedInItsOrder) {
  REGWATCH_SQLITE_ONLY("SQLite's legacy migrations 001..007 and PRAGMA user_version");
  {
    auto db = open_database(path_, false, 1000);
    ASSERT_TRUE(db.ok());
    int version = 0;
    for (const auto& m : embedded_migrations()) {
      if (m.name >= "008") break;
      ASSERT_TRUE(exec(db->get(), m.sql.c_str()).ok()) << m.name;
      ++version;
    }
    ASSERT_TRUE(exec(db->get(), ("PRAGMA user_version = " + std::to_string(version)).c_str()).ok());
    ASSERT_TRUE(exec(db->get(),
                     "INSERT INTO alert_outbox (receiver, alert_key, status, created_us, due_us, "
                     "delivered_us) VALUES ('pager', 'k@1', 'resolved', 30, 30, NULL), "
                     "('pager', 'k@1', 'firing', 10, 10, 11), ('pager', 'k@1', 'firing#2', 20, "
                     "20, 21), ('mail', 'k@1', 'firing', 10, 10, 12)")
                    .ok());
  }
  auto outbox = open();
  auto db = open_database(path_, true, 1000);
  auto rows = std::move(Statement::prepare(db->get(),
                                           "SELECT receiver, seq, status, reason, delivered_us IS "
                                           "NOT NULL FROM alert_outbox ORDER BY receiver, seq"))
                  .value();
  std::vector<std::string> got;
  while (rows.step() == kStepRow) {
    got.push_back(std::string(rows.column_text(0)) + " " + std::to_string(rows.column_int(1)) +
                  " " + std::string(rows.column_text(2)) + " " + std::string(rows.column_text(3)) +
                  (rows.column_int(4) ? " sent" : " owed"));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"mail 1 firing first sent", "pager 1 firing first sent",
                                           "pager 2 firing repeat sent",
                                           "pager 3 resolved resolved owed"}));
  // The next one follows them.
  EXPECT_EQ((*outbox->last("pager", "k@1"))->seq, 3);
  EXPECT_TRUE(*outbox->firing_told_before("pager", "k@1", 3));
}

}  // namespace
}  // namespace regwatch::collector::store
