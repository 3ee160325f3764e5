// Schema 012: incident records stored with their state as a word (field 2, a string) are
// rewritten with the IncidentState enum (field 20), taken from the row's state column, into the
// bytes the collector now writes for the same incident.
#include "collector/store/incident_state_migration.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "collector/store/database.h"
#include "collector/store/incident_reader.h"
#include "collector/store/migrations.h"
#include "common/record_bytes.h"
#include "common/record_json.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;
constexpr int64_t kStart = 1'795'166'060'395'000;  // 2026-11-20T09:14:20.395Z

// The incident as the collector now stores it, state aside.
v1::Incident incident_without_state(const std::string& id) {
  v1::Incident r;
  r.set_id(id);
  r.set_incident_class("infrastructure");
  r.mutable_scope()->set_type("cm_node");
  r.mutable_scope()->set_name("ucm-sub1");
  r.set_start_us(kStart);
  r.set_end_us(kStart + 95'000'000);
  r.add_phones("SEP000000000001");
  r.add_phones("SEP000000000002");
  (*r.mutable_phones_by_cm())["ucm-sub1"] = 2;
  r.set_recovered(2);
  auto* cause = r.add_causes();
  cause->set_kind("cm_cpu");
  cause->set_score(0.927);
  cause->add_evidence(7);
  return r;
}

// Its blob as schemas 010 and 011 stored it: field 2 the state's word, between the id (field 1)
// and the rest, where deterministic serialisation put it.
std::string old_blob(const std::string& id, const std::string& word) {
  v1::Incident head;
  head.set_id(id);
  v1::Incident rest = incident_without_state(id);
  rest.clear_id();
  return deterministic_bytes(head) + '\x12' + static_cast<char>(word.size()) + word +
         deterministic_bytes(rest);
}

class IncidentStateMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-state-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "events.db").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
};

TEST_F(IncidentStateMigrationTest, AnOldRecordBlobGetsTheEnumFromItsStateColumn) {
  REGWATCH_SQLITE_ONLY("SQLite's legacy migrations up to 011 and PRAGMA user_version");
  const std::string resolved_id = "cm_node:ucm-sub1@1795166060395000";
  const std::string withdrawn_id = "cm_node:ucm-sub1@1";
  {
    auto db = open_database(path_, false, 5000);
    ASSERT_TRUE(db.ok());
    const auto& migrations = embedded_migrations();
    ASSERT_GE(migrations.size(), 12u);
    ASSERT_EQ(migrations[11].name, "012_incident_state_enum.sql");
    for (size_t k = 0; k < 11; ++k) ASSERT_TRUE(exec(db->get(), migrations[k].sql.c_str()).ok());
    ASSERT_TRUE(exec(db->get(), "PRAGMA user_version = 11").ok());
    auto insert = Statement::prepare(
        db->get(),
        "INSERT INTO incidents (id, state, class, scope_type, scope_name, start_time_us, "
        "end_time_us, phone_count, top_cause, updated_us, record, first_id) VALUES "
        "(?1, ?2, 'infrastructure', 'cm_node', 'ucm-sub1', ?3, ?4, 2, 'cm_cpu', 1, ?5, ?1)");
    ASSERT_TRUE(insert.ok());
    for (const auto& [id, word] : {std::pair{resolved_id, std::string("resolved")},
                                   std::pair{withdrawn_id, std::string("withdrawn")}}) {
      insert->reset();
      insert->bind(1, id);
      insert->bind(2, word);
      insert->bind(3, kStart);
      insert->bind(4, kStart + 95'000'000);
      insert->bind_blob(5, old_blob(id, word));
      ASSERT_EQ(insert->step(), kStepDone);
    }
    // An old blob read as it is: the word is an unknown field, the state unspecified.
    v1::Incident before;
    ASSERT_TRUE(parse_record(old_blob(resolved_id, "resolved"), before));
    EXPECT_EQ(before.state(), v1::INCIDENT_STATE_UNSPECIFIED);

    auto version = apply_migrations(db->get(), path_);
    ASSERT_TRUE(version.ok()) << version.error().message;
    EXPECT_EQ(*version, latest_schema_version());

    // Byte for byte what the collector now writes for the same incident.
    auto stored = Statement::prepare(db->get(), "SELECT record FROM incidents WHERE id = ?1");
    ASSERT_TRUE(stored.ok());
    stored->bind(1, resolved_id);
    ASSERT_EQ(stored->step(), kStepRow);
    v1::Incident expected = incident_without_state(resolved_id);
    expected.set_state(v1::INCIDENT_STATE_RESOLVED);
    EXPECT_EQ(stored->column_blob(0), deterministic_bytes(expected));
    // The column keeps its word: the SQL filters still find it.
    auto column = Statement::prepare(db->get(),
                                     "SELECT count(*) FROM incidents WHERE "
                                     "state = 'resolved'");
    ASSERT_TRUE(column.ok());
    ASSERT_EQ(column->step(), kStepRow);
    EXPECT_EQ(column->column_int(0), 1);
  }
  auto reader = IncidentReader::open(path_);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  v1::IncidentQuery q;
  q.set_id(resolved_id);
  auto found = (*reader)->incidents(q);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->incidents_size(), 1);
  EXPECT_EQ(found->incidents(0).state(), v1::INCIDENT_STATE_RESOLVED);
  EXPECT_EQ(incident_json(found->incidents(0))["state"], "resolved");

  q.set_id(withdrawn_id);
  found = (*reader)->incidents(q);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->incidents_size(), 1);
  EXPECT_EQ(found->incidents(0).state(), v1::INCIDENT_STATE_WITHDRAWN);
}

TEST_F(IncidentStateMigrationTest, ABlobThatDoesNotParseIsLeftAndCounted) {
  REGWATCH_SQLITE_ONLY("SQLite's legacy migrations up to 011 and PRAGMA user_version");
  auto db = open_database(path_, false, 5000);
  ASSERT_TRUE(db.ok());
  const auto& migrations = embedded_migrations();
  for (size_t k = 0; k < 11; ++k) ASSERT_TRUE(exec(db->get(), migrations[k].sql.c_str()).ok());
  ASSERT_TRUE(exec(db->get(),
                   "INSERT INTO incidents (id, state, class, scope_type, scope_name, "
                   "start_time_us, end_time_us, phone_count, top_cause, updated_us, record, "
                   "first_id) VALUES ('x', 'open', '', '', '', 0, 0, 0, '', 1, X'FFFF', 'x')")
                  .ok());
  auto converted = convert_incident_states(db->get());
  ASSERT_TRUE(converted.ok()) << converted.error().message;
  EXPECT_EQ(converted->rewritten, 0u);
  EXPECT_EQ(converted->unreadable, 1u);
}

}  // namespace
}  // namespace regwatch::collector::store
