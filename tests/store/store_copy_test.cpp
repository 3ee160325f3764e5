// regwatch-collector migrate's copy (collector/store/store_copy.h): a SQLite store into a real
// PostgreSQL of the test's own, every table, resumed after the server is killed mid-copy, and
// refusing a target that holds someone else's events.
#include "collector/store/store_copy.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collector/store/database.h"
#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"
#include "collector/store/migrations.h"
#include "tests/store/postgres_server.h"
#include "tests/store/postgres_suite.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kT0 = 1'700'000'000'000'000;

v1::Event phone_event(uint64_t seq, const std::string& device) {
  v1::Event e;
  e.set_agent_id("edge-1");
  e.set_seq(seq);
  e.set_event_time_us(kT0 + static_cast<int64_t>(seq) * 1000);
  e.set_receive_time_us(kT0 + static_cast<int64_t>(seq) * 1000);
  e.set_origin("10.0.0.1");
  e.set_source(v1::SOURCE_SYSLOG);
  e.set_kind(v1::PHONE_UNREGISTERED);
  e.mutable_phone()->set_device_name(device);
  e.mutable_phone()->set_reason_code(8);
  e.set_raw(std::string("raw \0 line \xc3\xa9", 13));  // a NUL and UTF-8 survive the copy
  return e;
}

std::vector<v1::Event> events(uint64_t from_seq, uint64_t count) {
  std::vector<v1::Event> out;
  for (uint64_t seq = from_seq; seq < from_seq + count; ++seq)
    out.push_back(phone_event(seq, "SEP00000000" + std::to_string(1000 + seq % 50)));
  return out;
}

class StoreCopyTest : public regwatch::test::PostgresSuite {
 protected:
  void SetUp() override {
    PostgresSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    dir_ = fs::temp_directory_path() /
           ("regwatch-copy-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    sqlite_path_ = (dir_ / "site.db").string();
    url_ = fresh_database("copy_");
    ASSERT_FALSE(url_.empty());
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A site's store: events (and so the summaries) through the writer, the alerting tables by
  // hand, one row or more each.
  void fill_source(uint64_t event_count) {
    auto writer = EventWriter::open(sqlite_path_);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    for (uint64_t seq = 1; seq <= event_count; seq += 500) {
      auto stored =
          (*writer)->insert_batch(events(seq, std::min<uint64_t>(500, event_count - seq + 1)),
                                  kT0 + static_cast<int64_t>(seq));
      ASSERT_TRUE(stored.ok()) << stored.error().message;
    }
    ASSERT_TRUE(exec((*writer)->database(),
                     "INSERT INTO incidents (id, state, class, scope_type, scope_name, "
                     "start_time_us, end_time_us, phone_count, top_cause, updated_us, first_id, "
                     "record) VALUES ('inc-1', 'open', 'burst', 'switch', 'sw1', 1, 2, 12, "
                     "'cm_cpu', 3, 'inc-1', X'0a01ff');"
                     "INSERT INTO incident_ids (id, first_id) VALUES ('inc-1', 'inc-1');"
                     "INSERT INTO incident_updates (first_id, at_us, id, state, class, "
                     "scope_type, scope_name, phone_count, top_cause, change) VALUES ('inc-1', "
                     "1, 'inc-1', 'open', 'burst', 'switch', 'sw1', 12, 'cm_cpu', 'opened');"
                     "INSERT INTO alert_outbox (receiver, alert_key, seq, status, reason, "
                     "created_us, due_us, delivered_us) VALUES ('pager', 'incident:inc-1', 1, "
                     "'firing', 'first', 10, 10, 20), ('mail', 'incident:inc-1', 1, 'firing', "
                     "'first', 10, 10, NULL);"
                     "INSERT INTO silences (id, matchers, starts_us, ends_us, author, comment, "
                     "created_us) VALUES ('s1', '{}', 0, 9, 'noc', 'maintenance', 0);"
                     "INSERT INTO condition_alerts (key, identity, state, starts_us, "
                     "updated_us, record) VALUES ('c1', 'agent_silent', 'firing', 1, 2, X'00');")
                    .ok());
  }

  std::map<std::string, TableCopy> copy(const CopyProgressFn& progress = {},
                                        uint32_t chunk_rows = 400) {
    auto from = open_database(sqlite_path_, true, 5000);
    EXPECT_TRUE(from.ok()) << from.error().message;
    auto to = open_database(url_, false, 5000);
    EXPECT_TRUE(to.ok()) << to.error().message;
    if (!from.ok() || !to.ok()) return {};
    auto copied = copy_store(from->get(), to->get(), progress, chunk_rows);
    last_error_ = copied.ok() ? Error{} : copied.error();
    std::map<std::string, TableCopy> by_table;
    if (copied.ok()) {
      for (const auto& table : *copied) by_table[table.table] = table;
    }
    return by_table;
  }

  fs::path dir_;
  std::string sqlite_path_;
  std::string url_;
  Error last_error_;
};

TEST_F(StoreCopyTest, EveryTableArrivesWithItsRowsAndTheEventsReadBackTheSame) {
  fill_source(1234);
  const auto copied = copy();
  ASSERT_TRUE(last_error_.code.empty()) << last_error_.message;
  for (const char* table :
       {"events", "incidents", "incident_ids", "incident_updates", "alert_outbox", "silences",
        "sources", "condition_alerts", "inputs", "phones"}) {
    ASSERT_TRUE(copied.count(table)) << table;
    EXPECT_EQ(copied.at(table).source_rows, copied.at(table).target_rows) << table;
    EXPECT_GT(copied.at(table).target_rows, 0u) << table;
  }
  EXPECT_EQ(copied.at("events").copied, 1234u);
  EXPECT_EQ(copied.at("alert_outbox").copied, 2u);
  // The history reads the same through the PostgreSQL backend.
  auto reader = EventReader::open(url_);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  v1::EventQuery query;
  query.set_device("SEP000000001007");
  query.set_limit(1000);
  auto found = (*reader)->query(query);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_FALSE(found->events().empty());
  EXPECT_EQ(found->events(0).event().raw(), std::string("raw \0 line \xc3\xa9", 13));
  // New events continue after the copied ids, and a resend of a copied one is a duplicate.
  auto writer = EventWriter::open(url_);
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  auto more = (*writer)->insert_batch(events(1234, 2), kT0 + 9'000'000);
  ASSERT_TRUE(more.ok()) << more.error().message;
  EXPECT_EQ(more->stored, 1u);
  EXPECT_EQ(more->duplicates, 1u);
  auto to = open_database(url_, true, 5000);
  ASSERT_TRUE(to.ok());
  auto newest = Statement::prepare(to->get(), "SELECT max(id), count(*) FROM events");
  ASSERT_TRUE(newest.ok());
  ASSERT_EQ(newest->step(), kStepRow);
  // PostgreSQL's identity hands a number to the refused duplicate too: ids grow, with gaps.
  EXPECT_GT(newest->column_int(0), 1234);
  EXPECT_EQ(newest->column_int(1), 1235);
}

TEST_F(StoreCopyTest, ACopyCutShortByAKilledServerResumesAndStoresNothingTwice) {
  fill_source(3000);
  int chunks = 0;
  bool killed = false;
  copy([&](const std::string& table, uint64_t, uint64_t) {
    if (table == "events" && ++chunks == 3) killed = server().kill_postmaster().ok();
  });
  ASSERT_TRUE(killed);
  ASSERT_FALSE(last_error_.code.empty()) << "the copy went on after the server was killed";
  EXPECT_EQ(last_error_.code, "unavailable") << last_error_.message;
  ASSERT_TRUE(server().restart().ok());
  const auto resumed = copy();
  ASSERT_TRUE(last_error_.code.empty()) << last_error_.message;
  EXPECT_EQ(resumed.at("events").target_rows, 3000u);
  // Three chunks of 400 were committed before the kill; the rest came now.
  EXPECT_EQ(resumed.at("events").copied, 3000u - 3 * 400u);
  // Once more: nothing left to copy.
  const auto again = copy();
  ASSERT_TRUE(last_error_.code.empty()) << last_error_.message;
  EXPECT_EQ(again.at("events").copied, 0u);
  EXPECT_EQ(again.at("events").target_rows, 3000u);
}

TEST_F(StoreCopyTest, ATargetWithSomeoneElsesEventsIsRefusedUntouched) {
  fill_source(10);
  {
    auto writer = EventWriter::open(url_);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    ASSERT_TRUE((*writer)->insert_batch(events(500, 3), kT0).ok());
  }
  copy();
  EXPECT_EQ(last_error_.code, "target_not_empty") << last_error_.message;
  auto reader = EventReader::open(url_);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->status()->total_events(), 3u);
}

TEST_F(StoreCopyTest, ASourceAtAnotherSchemaVersionIsRefusedWithWhatToDo) {
  fill_source(1);
  {
    auto db = open_database(sqlite_path_, false, 5000);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(exec(db->get(), "PRAGMA user_version = 12").ok());
  }
  copy();
  EXPECT_EQ(last_error_.code, "schema_version");
  EXPECT_NE(last_error_.message.find("start this collector on it once"), std::string::npos)
      << last_error_.message;
}

}  // namespace
}  // namespace regwatch::collector::store
