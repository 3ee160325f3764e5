#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <tuple>
#include <vector>

#include "collector/store/database.h"
#include "collector/store/migrations.h"
#include "collector/store/stored_payload.h"
#include "common/clock.h"
#include "regwatch/v1/ingest.pb.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-store-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "events.db").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  static v1::Event phone(const std::string& agent, uint64_t seq, int64_t time_us,
                         const std::string& device, int reason = 13,
                         v1::EventKind kind = v1::PHONE_UNREGISTERED) {
    v1::Event e;
    e.set_agent_id(agent);
    e.set_seq(seq);
    e.set_event_time_us(time_us);
    e.set_receive_time_us(time_us + 5);
    e.set_origin("ucm-sub1");
    e.set_source(v1::SOURCE_SYSLOG);
    e.set_kind(kind);
    e.mutable_phone()->set_device_name(device);
    e.mutable_phone()->set_reason_code(reason);
    return e;
  }
  static v1::Event link(const std::string& agent, uint64_t seq, int64_t time_us) {
    v1::Event e;
    e.set_agent_id(agent);
    e.set_seq(seq);
    e.set_event_time_us(time_us);
    e.set_origin("sw-3f");
    e.set_kind(v1::LINK_DOWN);
    e.mutable_interface()->set_interface("Gi1/0/1");
    return e;
  }
  std::string file_bytes() const {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(StoreTest, FreshDatabaseGetsEveryMigrationAndReopenIsANoOp) {
  {
    auto writer = EventWriter::open(path_);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    EXPECT_EQ((*writer)->schema_version(), latest_schema_version());
    EXPECT_GE(latest_schema_version(), 1);
  }
  auto again = EventWriter::open(path_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->schema_version(), latest_schema_version());
}

TEST_F(StoreTest, ResentEventsAreStoredExactlyOnce) {
  auto writer = EventWriter::open(path_);
  ASSERT_TRUE(writer.ok());
  std::vector<v1::Event> batch = {phone("a", 1, 100, "SEP000000000001"),
                                  phone("a", 2, 200, "SEP000000000002"),
                                  phone("b", 1, 150, "SEP000000000003")};
  auto first = (*writer)->insert_batch(batch, 1000);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->stored, 3u);
  EXPECT_EQ(first->duplicates, 0u);
  auto second = (*writer)->insert_batch(batch, 2000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->stored, 0u);
  EXPECT_EQ(second->duplicates, 3u);
  auto reader = EventReader::open(path_);
  ASSERT_TRUE(reader.ok());
  auto status = (*reader)->status();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->total_events(), 3u);
  ASSERT_EQ(status->agents_size(), 2);
  EXPECT_EQ(status->agents(0).agent_id(), "a");
  EXPECT_EQ(status->agents(0).last_seq(), 2u);
}

// The commit queue hands the writer each event's stored payload, made on the stream's thread:
// the writer stores those bytes as they are, on both backends, and refuses (storing nothing) a
// batch whose payloads do not match its events in number.
TEST_F(StoreTest, PayloadsMadeBeforeTheWriterAreStoredAsGiven) {
  auto writer = EventWriter::open(path_);
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  v1::EventBatch batch;
  *batch.add_events() = phone("a", 1, 100, "SEP000000000001");
  *batch.add_events() = phone("a", 2, 200, "SEP000000000002");
  std::vector<std::string> payloads(2);
  for (int i = 0; i < 2; ++i)
    encode_stored_payload(batch.events(i), payloads[static_cast<size_t>(i)]);
  auto short_by_one =
      (*writer)->insert_batch(batch.events(), 1000, "inc", std::span(payloads).first(1));
  ASSERT_FALSE(short_by_one.ok());
  EXPECT_EQ(short_by_one.error().code, "internal");
  auto stored = (*writer)->insert_batch(batch.events(), 1000, "inc", payloads);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->stored, 2u);
  auto rows = Statement::prepare((*writer)->database(), "SELECT payload FROM events ORDER BY seq");
  ASSERT_TRUE(rows.ok()) << rows.error().message;
  for (const auto& payload : payloads) {
    ASSERT_EQ(rows->step(), kStepRow);
    EXPECT_EQ(rows->column_blob(0), payload);
  }
  EXPECT_EQ(rows->step(), kStepDone);
  // Sent again with a new one (on PostgreSQL: the COPY meets the stored keys and the batch goes
  // again by the statement that skips them, with the same given payloads).
  *batch.add_events() = phone("a", 3, 300, "SEP000000000003");
  payloads.emplace_back();
  encode_stored_payload(batch.events(2), payloads.back());
  auto again = (*writer)->insert_batch(batch.events(), 2000, "inc", payloads);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->stored, 1u);
  EXPECT_EQ(again->duplicates, 2u);
  auto third =
      Statement::prepare((*writer)->database(), "SELECT payload FROM events WHERE seq = 3");
  ASSERT_TRUE(third.ok()) << third.error().message;
  ASSERT_EQ(third->step(), kStepRow);
  EXPECT_EQ(third->column_blob(0), payloads.back());
}

// Status lists, per agent, the SNMP targets whose latest snmp_data_missing report is not
// resolved: a reminder keeps it listed, a resolution takes it off.
TEST_F(StoreTest, StatusListsTargetsStillMissingTheirRolesData) {
  auto writer = std::move(EventWriter::open(path_)).value();
  auto missing = [](const std::string& agent, uint64_t seq, int64_t time_us,
                    const std::string& target, const std::string& part, bool resolved) {
    v1::Event e;
    e.set_agent_id(agent);
    e.set_seq(seq);
    e.set_event_time_us(time_us);
    e.set_origin(target);
    e.set_source(v1::SOURCE_SNMP_POLL);
    e.set_kind(v1::SNMP_DATA_MISSING);
    auto* m = e.mutable_snmp_data_missing();
    m->set_target(target);
    m->set_role(part == "CISCO-CCM-MIB" ? "cucm" : "switch");
    m->set_missing(part);
    m->set_fix("the fix for " + part);
    m->set_resolved(resolved);
    m->set_missing_since_us(resolved ? 0 : 100);
    return e;
  };
  // Status reads the last 13 h of reports (agents remind every 6 h): times near now.
  const int64_t now = SystemClock::instance().now_us();
  constexpr int64_t kHour = int64_t{3600} * 1'000'000;
  std::vector<v1::Event> batch = {
      missing("a", 1, now - 20 * kHour, "sw-old", "IF-MIB ifName", false),  // nobody reminded
      missing("a", 2, now - 3 * kHour, "ucm-pub", "CISCO-CCM-MIB", false),
      missing("a", 3, now - 3 * kHour, "sw-1", "CISCO-PROCESS-MIB cpmCPUTotalTable", false),
      missing("a", 4, now - 2 * kHour, "sw-1", "CISCO-PROCESS-MIB cpmCPUTotalTable", true),
      missing("a", 5, now - 1 * kHour, "ucm-pub", "CISCO-CCM-MIB", false),  // a reminder
      phone("b", 1, 150, "SEP000000000003")};
  ASSERT_TRUE(writer->insert_batch(batch, 1000).ok());
  auto status = std::move(EventReader::open(path_)).value()->status();
  ASSERT_TRUE(status.ok()) << status.error().message;
  ASSERT_EQ(status->agents_size(), 2);
  const auto& a = status->agents(0);
  ASSERT_EQ(a.incomplete_targets_size(), 1);
  EXPECT_EQ(a.incomplete_targets(0).target(), "ucm-pub");
  EXPECT_EQ(a.incomplete_targets(0).role(), "cucm");
  EXPECT_EQ(a.incomplete_targets(0).missing(), "CISCO-CCM-MIB");
  EXPECT_EQ(a.incomplete_targets(0).fix(), "the fix for CISCO-CCM-MIB");
  EXPECT_EQ(a.incomplete_targets(0).since_us(), 100);
  EXPECT_EQ(a.incomplete_targets(0).last_reported_us(), now - 1 * kHour);
  EXPECT_EQ(status->agents(1).incomplete_targets_size(), 0);
}

// A new spool under an agent id in use numbers from 1 again: its events are not the old
// spool's resends (issue 15: a replay under a live agent's id stored nothing).
TEST_F(StoreTest, SameAgentAndSeqFromAnotherSpoolIncarnationIsStored) {
  auto writer = std::move(EventWriter::open(path_)).value();
  std::vector<v1::Event> batch = {phone("a1", 1, 100, "SEP000000000001"),
                                  phone("a1", 2, 200, "SEP000000000002")};
  auto old_spool = writer->insert_batch(batch, 1000, "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(old_spool.ok());
  EXPECT_EQ(old_spool->stored, 2u);
  auto new_spool = writer->insert_batch(batch, 2000, "fedcba9876543210fedcba9876543210");
  ASSERT_TRUE(new_spool.ok());
  EXPECT_EQ(new_spool->stored, 2u);
  EXPECT_EQ(new_spool->duplicates, 0u);
  // A resend within one incarnation is still a duplicate, and so is one of a
  // pre-incarnation spool ("") after an earlier one.
  auto resend = writer->insert_batch(batch, 3000, "fedcba9876543210fedcba9876543210");
  ASSERT_TRUE(resend.ok());
  EXPECT_EQ(resend->stored, 0u);
  EXPECT_EQ(resend->duplicates, 2u);
  ASSERT_EQ(writer->insert_batch(batch, 4000)->stored, 2u);
  EXPECT_EQ(writer->insert_batch(batch, 5000)->duplicates, 2u);
  auto reader = std::move(EventReader::open(path_)).value();
  EXPECT_EQ(reader->status()->total_events(), 6u);
}

// The events table of schema versions 1-6, with rows, migrated to the latest: every row
// and its id is kept (evidence refers to ids), the old rows belong to incarnation '', and
// the indexes are there.
TEST_F(StoreTest, MigrationFromVersion6KeepsRowsAndIds) {
  REGWATCH_SQLITE_ONLY("SQLite's legacy migrations 001..012, written with sqlite3 directly");
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    const auto& migrations = embedded_migrations();
    ASSERT_GE(migrations.size(), 7u);
    for (size_t i = 0; i < 6; ++i) {
      ASSERT_EQ(sqlite3_exec(raw, migrations[i].sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
          << migrations[i].name;
    }
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA user_version = 6", nullptr, nullptr, nullptr), SQLITE_OK);
    // Ids with gaps, as retention leaves them.
    std::string payload;
    phone("a1", 3, 300, "SEP000000000003").SerializeToString(&payload);
    for (const auto& [id, seq] : std::vector<std::pair<int, int>>{{5, 1}, {9, 2}, {42, 3}}) {
      sqlite3_stmt* insert = nullptr;
      ASSERT_EQ(sqlite3_prepare_v2(
                    raw,
                    "INSERT INTO events (id, agent_id, seq, event_time_us, receive_time_us, "
                    "store_time_us, origin, source, kind, device, reason_code, payload) VALUES "
                    "(?1, 'a1', ?2, ?2 * 100, ?2 * 100, 1, 'ucm-sub1', 'syslog', "
                    "'phone_unregistered', 'SEP000000000003', 13, ?3)",
                    -1, &insert, nullptr),
                SQLITE_OK);
      sqlite3_bind_int(insert, 1, id);
      sqlite3_bind_int(insert, 2, seq);
      sqlite3_bind_blob(insert, 3, payload.data(), static_cast<int>(payload.size()),
                        SQLITE_TRANSIENT);
      ASSERT_EQ(sqlite3_step(insert), kStepDone);
      sqlite3_finalize(insert);
    }
    sqlite3_close(raw);
  }
  auto writer = EventWriter::open(path_);
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  EXPECT_EQ((*writer)->schema_version(), latest_schema_version());
  Database* db = (*writer)->database();
  auto rows =
      std::move(Statement::prepare(db, "SELECT id, seq, spool_incarnation FROM events ORDER BY id"))
          .value();
  std::vector<std::tuple<int64_t, int64_t, std::string>> kept;
  while (rows.step() == kStepRow)
    kept.emplace_back(rows.column_int(0), rows.column_int(1), rows.column_text(2));
  const std::vector<std::tuple<int64_t, int64_t, std::string>> expected = {
      {5, 1, ""}, {9, 2, ""}, {42, 3, ""}};
  EXPECT_EQ(kept, expected);
  auto indexes =
      std::move(Statement::prepare(
                    db,
                    "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE "
                    "type = 'index' AND tbl_name = 'events' AND name NOT LIKE 'sqlite_%' "
                    "ORDER BY name)"))
          .value();
  ASSERT_EQ(indexes.step(), kStepRow);
  // 013 adds the partial index of the CM nodes' counts.
  EXPECT_EQ(indexes.column_text(0), "events_device_time,events_registered_phones,events_time");
  // The old rows are incarnation ''; new ids continue after the highest.
  std::vector<v1::Event> again = {phone("a1", 3, 300, "SEP000000000003"),
                                  phone("a1", 4, 400, "SEP000000000003")};
  auto outcome = (*writer)->insert_batch(again, 2);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->stored, 1u);
  EXPECT_EQ(outcome->duplicates, 1u);
  EXPECT_EQ((*writer)->insert_batch(again, 3, "0123456789abcdef0123456789abcdef")->stored, 2u);
  auto newest = std::move(Statement::prepare(db, "SELECT max(id) FROM events")).value();
  ASSERT_EQ(newest.step(), kStepRow);
  EXPECT_EQ(newest.column_int(0), 45);
}

TEST_F(StoreTest, QueriesFilterOrderAndTruncate) {
  auto writer = EventWriter::open(path_);
  ASSERT_TRUE(writer.ok());
  std::vector<v1::Event> batch;
  for (uint64_t i = 1; i <= 10; ++i) {
    batch.push_back(
        phone("a", i, int64_t(i) * 1000, "SEP00000000000" + std::to_string(i % 2), i % 2 ? 13 : 8));
  }
  batch.push_back(link("a", 11, 5500));
  ASSERT_TRUE((*writer)->insert_batch(batch, 1).ok());
  auto reader = std::move(EventReader::open(path_)).value();

  v1::EventQuery by_device;
  by_device.set_device("SEP000000000001");
  by_device.set_oldest_first(true);
  auto result = reader->query(by_device);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->events_size(), 5);
  EXPECT_EQ(result->events(0).event().event_time_us(), 1000);
  EXPECT_EQ(result->events(4).event().event_time_us(), 9000);
  EXPECT_GT(result->events(0).id(), 0);

  v1::EventQuery range;
  range.set_since_us(3000);
  range.set_until_us(6000);
  result = reader->query(range);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->events_size(), 4);  // 3000, 4000, 5000, 5500 (until is exclusive)
  EXPECT_EQ(result->events(0).event().event_time_us(), 5500);  // newest first by default

  v1::EventQuery kinds;
  kinds.add_kinds("link_down");
  result = reader->query(kinds);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->events_size(), 1);
  EXPECT_EQ(result->events(0).event().interface().interface(), "Gi1/0/1");

  v1::EventQuery reason;
  reason.set_reason_code(8);
  result = reader->query(reason);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->events_size(), 5);

  v1::EventQuery limited;
  limited.set_limit(3);
  result = reader->query(limited);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->events_size(), 3);
  EXPECT_TRUE(result->truncated());

  v1::EventQuery bad;
  bad.add_kinds("phone_exploded");
  result = reader->query(bad);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "unknown_kind");
  EXPECT_NE(result.error().message.find("phone_unregistered"), std::string::npos);
}

// regwatch events --source sip (issue 23): only the events of those inputs, any case; an unknown
// input is a bad query that names the valid ones.
TEST_F(StoreTest, QueriesFilterBySource) {
  auto writer = EventWriter::open(path_);
  ASSERT_TRUE(writer.ok());
  std::vector<v1::Event> batch;
  for (uint64_t i = 1; i <= 6; ++i) {
    v1::Event e = phone("a", i, int64_t(i) * 1000, "SEP00000000000" + std::to_string(i), 13,
                        v1::KEEPALIVE_MISSED);
    e.set_source(i <= 2 ? v1::SOURCE_SIP : i <= 4 ? v1::SOURCE_SCCP : v1::SOURCE_SYSLOG);
    e.mutable_phone()->clear_reason_code();
    batch.push_back(e);
  }
  batch.push_back(phone("a", 7, 7000, "SEP000000000007", 0, v1::PHONE_FIRMWARE_CHANGED));
  batch.back().set_source(v1::SOURCE_SIP);
  ASSERT_TRUE((*writer)->insert_batch(batch, 1).ok());
  auto reader = std::move(EventReader::open(path_)).value();

  v1::EventQuery sip;
  sip.add_sources("sip");
  auto result = reader->query(sip);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->events_size(), 3);
  for (const auto& e : result->events()) EXPECT_EQ(e.event().source(), v1::SOURCE_SIP);

  v1::EventQuery wire;
  wire.add_sources("SIP");
  wire.add_sources("sccp");
  wire.add_kinds("keepalive_missed");
  result = reader->query(wire);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->events_size(), 4);

  v1::EventQuery firmware;
  firmware.add_kinds("phone_firmware_changed");
  result = reader->query(firmware);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->events_size(), 1);
  EXPECT_EQ(result->events(0).event().seq(), 7u);

  v1::EventQuery bad;
  bad.add_sources("carrier_pigeon");
  result = reader->query(bad);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, "bad_query");
  EXPECT_NE(result.error().message.find("sip"), std::string::npos) << result.error().message;
}

TEST_F(StoreTest, NewerSchemaIsRefusedAndTheFileIsUntouched) {
  REGWATCH_SQLITE_ONLY("PRAGMA user_version and the file's bytes are SQLite's");
  {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
  }
  const auto before = file_bytes();
  auto writer = EventWriter::open(path_);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().code, "schema_too_new");
  EXPECT_NE(writer.error().message.find("upgrade regwatch-collector"), std::string::npos);
  EXPECT_EQ(file_bytes(), before);
}

TEST_F(StoreTest, GarbageFileIsRefusedAndUntouched) {
  REGWATCH_SQLITE_ONLY("a garbage file is a SQLite matter");
  {
    std::ofstream out(path_, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>(i * 7 + 3));
  }
  const auto before = file_bytes();
  auto writer = EventWriter::open(path_);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.error().code, "database_corrupt");
  EXPECT_EQ(file_bytes(), before);
}

TEST_F(StoreTest, DiskFullStoresNothingOfTheBatchAndRecovers) {
  REGWATCH_SQLITE_ONLY("a full disk made by SQLite's max_page_count");
  auto writer = std::move(EventWriter::open(path_)).value();
  ASSERT_TRUE(
      writer->insert_batch(std::vector<v1::Event>{phone("a", 1, 1, "SEP000000000001")}, 1).ok());
  // Cap the file at its current size: the next big batch cannot fit.
  sqlite3_exec(writer->handle(), "PRAGMA max_page_count = 1", nullptr, nullptr, nullptr);
  std::vector<v1::Event> big;
  for (uint64_t i = 2; i < 2000; ++i)
    big.push_back(phone("a", i, int64_t(i), "SEP0000000" + std::to_string(10000 + i)));
  auto failed = writer->insert_batch(big, 2);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "disk_full");
  auto reader = std::move(EventReader::open(path_)).value();
  EXPECT_EQ(reader->status()->total_events(), 1u);
  sqlite3_exec(writer->handle(), "PRAGMA max_page_count = 1073741823", nullptr, nullptr, nullptr);
  auto retried = writer->insert_batch(big, 3);
  ASSERT_TRUE(retried.ok()) << retried.error().message;
  EXPECT_EQ(retried->stored, big.size());
}

TEST_F(StoreTest, PruningRemovesOnlyOldStoredRowsInChunks) {
  auto writer = std::move(EventWriter::open(path_)).value();
  std::vector<v1::Event> old_rows, new_rows;
  for (uint64_t i = 1; i <= 25; ++i) old_rows.push_back(phone("a", i, 1, "SEP000000000001"));
  for (uint64_t i = 26; i <= 30; ++i) new_rows.push_back(phone("a", i, 1, "SEP000000000001"));
  ASSERT_TRUE(writer->insert_batch(old_rows, 100).ok());
  ASSERT_TRUE(writer->insert_batch(new_rows, 500).ok());
  auto first = writer->prune_stored_before(200, 10);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 10u);
  EXPECT_EQ(*writer->prune_stored_before(200, 10), 10u);
  EXPECT_EQ(*writer->prune_stored_before(200, 10), 5u);
  EXPECT_EQ(*writer->prune_stored_before(200, 10), 0u);
  auto reader = std::move(EventReader::open(path_)).value();
  EXPECT_EQ(reader->status()->total_events(), 5u);
}

TEST_F(StoreTest, ABatchIsAcknowledgedOnlyOnceItsCommitIsOnDiskAndTheWalIsBounded) {
  REGWATCH_SQLITE_ONLY("SQLite's WAL pragmas");
  auto writer = std::move(EventWriter::open(path_)).value();
  const auto pragma = [&](const char* sql) {
    auto statement = std::move(Statement::prepare(writer->database(), sql)).value();
    EXPECT_EQ(statement.step(), kStepRow);
    return std::string(statement.column_text(0));
  };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA synchronous"), "2");  // FULL: the WAL is synced at each commit
  EXPECT_EQ(pragma("PRAGMA journal_size_limit"), "67108864");
}

}  // namespace
}  // namespace regwatch::collector::store
