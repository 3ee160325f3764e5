// What alerting keeps beside the events is pruned with the same cutoff, by its own class
// (the retention loop runs it beside EventWriter::prune_stored_before).
#include "collector/store/alerting_retention.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "collector/store/database.h"
#include "collector/store/event_writer.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;

class AlertingRetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-retention-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "events.db").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
};

TEST_F(AlertingRetentionTest, RetentionPrunesEndedAlertEpisodesAndSilencesButNotWhatStillCounts) {
  auto writer = std::move(EventWriter::open(path_)).value();  // creates the schema
  Database* db = writer->database();
  auto retention = std::move(AlertingRetention::open(path_)).value();
  // '' for the records, which retention never reads: X'' is SQLite's blob literal only.
  ASSERT_TRUE(
      exec(db,
           "INSERT INTO condition_alerts (key, identity, state, starts_us, updated_us, "
           "ends_us, record) VALUES "
           "('old', 'a', 'resolved', 10, 90, 100, ''), "
           "('recent', 'a', 'resolved', 10, 290, 300, ''), "
           "('firing-long', 'b', 'firing', 10, 500, NULL, '');"
           "INSERT INTO silences (id, matchers, starts_us, ends_us, author, comment, "
           "created_us) VALUES ('s-old', '{}', 0, 150, 'noc', '', 0), "
           "('s-active', '{}', 0, 9000, 'noc', '', 0);"
           "INSERT INTO alert_outbox (receiver, alert_key, seq, status, reason, created_us, "
           "due_us, delivered_us) VALUES ('pager', 'cm_node:x@1', 1, 'firing', 'first', "
           "10, 10, 20);")
          .ok());
  auto pruned = retention->prune_before(200);
  ASSERT_TRUE(pruned.ok()) << pruned.error().message;
  EXPECT_EQ(*pruned, 2u);
  const auto keys = [&](const char* sql) {
    std::vector<std::string> out;
    auto statement = std::move(Statement::prepare(db, sql)).value();
    while (statement.step() == kStepRow) out.emplace_back(statement.column_text(0));
    return out;
  };
  EXPECT_EQ(keys("SELECT key FROM condition_alerts ORDER BY key"),
            (std::vector<std::string>{"firing-long", "recent"}));
  EXPECT_EQ(keys("SELECT id FROM silences"), (std::vector<std::string>{"s-active"}));
  // A delivered page stays: it is what keeps a recomputed incident from paging twice.
  EXPECT_EQ(keys("SELECT alert_key FROM alert_outbox"), (std::vector<std::string>{"cm_node:x@1"}));
}

}  // namespace
}  // namespace regwatch::collector::store
