// Schema 010: a database from before typed records (incidents and condition alerts stored as
// JSON bodies) migrates to proto records that render the same JSON, and the bodies go (011).
#include "collector/store/legacy_records.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "collector/store/condition_alert_reader.h"
#include "collector/store/database.h"
#include "collector/store/incident_reader.h"
#include "collector/store/migrations.h"
#include "common/domain_tables.h"
#include "common/record_json.h"
#include "common/time_format.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
constexpr int64_t kStart = 1'795'166'060'395'000;  // 2026-11-20T09:14:20.395Z

// An incident body as collectors before schema 010 stored it (collector/correlate/incident_json).
std::string old_incident_body() {
  Json j;
  j["id"] = "cm_node:ucm-sub1@1795166060395000";
  j["state"] = "resolved";
  j["class"] = "infrastructure";
  j["scope"] = {{"type", "cm_node"}, {"name", "ucm-sub1"}};
  j["also_scopes"] = Json::array({{{"type", "subnet"}, {"name", "10.88.3.0/24"}}});
  j["start_time"] = format_rfc3339_ms(kStart);
  j["end_time"] = format_rfc3339_ms(kStart + 95'000'000);
  j["phone_count"] = 2;
  j["recovered"] = 1;
  j["still_down"] = {"SEP000000000002"};
  j["phones_by_cm"] = {{"ucm-sub1", 2}};
  j["phones_by_switch"] = {{"sw-3f", 1}, {"unknown", 1}};
  j["phones_by_cluster"] = {{"cl-1", 2}};
  j["reasons"] = Json::array({{{"code", 13},
                               {"name", std::string(domain::unregistration_reason_name(13))},
                               {"phones", 2}}});
  j["rejection_reasons"] = Json::array();
  j["phone_auth_failures"] = 0;
  j["causes"] = Json::array({{{"kind", "cm_cpu"},
                              {"subject", "ucm-sub1"},
                              {"score", 0.927},
                              {"explanation", "ucm-sub1: CPU pegged 20 s before the first drop"},
                              {"remediation", "find the process hogging the CPU"},
                              {"evidence", {7, 9}}}});
  j["phones"] = {"SEP000000000001", "SEP000000000002"};
  j["flapping"] = Json::array();
  j["drop_evidence"] = {11, 12};
  return j.dump();
}

// A condition alert body as condition_body() wrote it before schema 010.
std::string old_alert_body() {
  Json j;
  j["kind"] = "condition";
  j["id"] = "CallManagerDown{cm_node=ucm-sub1}@1";
  j["alertname"] = "CallManagerDown";
  j["condition"] = "cm_down";
  j["state"] = "firing";
  j["severity"] = "critical";
  j["notify"] = true;
  j["labels"] = {{"cm_node", "ucm-sub1"}};
  j["summary"] = "CallManager failed on ucm-sub1";
  j["description"] = "the service stopped";
  j["remediation"] = "restart it";
  j["command"] = "regwatch events --device ucm-sub1";
  j["start_time"] = format_rfc3339_ms(kStart);
  j["end_time"] = "";
  j["evidence"] = {3};
  return j.dump();
}

class LegacyRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-legacy-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "events.db").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::string path_;
};

TEST_F(LegacyRecordsTest, AnOldDatabaseMigratesToRecordsThatRenderTheSameJson) {
  REGWATCH_SQLITE_ONLY("SQLite's legacy migrations up to 009 and PRAGMA user_version");
  {
    auto db = open_database(path_, false, 5000);
    ASSERT_TRUE(db.ok());
    const auto& migrations = embedded_migrations();
    ASSERT_GE(migrations.size(), 11u);
    ASSERT_EQ(migrations[9].name, "010_typed_records.sql");
    for (size_t k = 0; k < 9; ++k) ASSERT_TRUE(exec(db->get(), migrations[k].sql.c_str()).ok());
    ASSERT_TRUE(exec(db->get(), "PRAGMA user_version = 9").ok());
    auto insert = Statement::prepare(
        db->get(),
        "INSERT INTO incidents (id, state, class, scope_type, scope_name, start_time_us, "
        "end_time_us, phone_count, top_cause, updated_us, body, first_id) VALUES "
        "('cm_node:ucm-sub1@1795166060395000', 'resolved', 'infrastructure', 'cm_node', "
        "'ucm-sub1', ?1, ?2, 2, 'cm_cpu', 1, ?3, 'cm_node:ucm-sub1@1795166060395000'), "
        "('module:sw-3f/2@1', 'open', 'infrastructure', 'module', 'sw-3f/2', ?1, ?2, 0, '', 1, "
        "'not json', 'module:sw-3f/2@1')");
    ASSERT_TRUE(insert.ok());
    insert->bind(1, kStart);
    insert->bind(2, kStart + 95'000'000);
    insert->bind(3, old_incident_body());
    ASSERT_EQ(insert->step(), kStepDone);
    auto alert = Statement::prepare(
        db->get(),
        "INSERT INTO condition_alerts (key, identity, state, starts_us, updated_us, body) "
        "VALUES ('CallManagerDown{cm_node=ucm-sub1}@1', 'CallManagerDown{cm_node=ucm-sub1}', "
        "'firing', ?1, ?1, ?2)");
    ASSERT_TRUE(alert.ok());
    alert->bind(1, kStart);
    alert->bind(2, old_alert_body());
    ASSERT_EQ(alert->step(), kStepDone);
    auto version = apply_migrations(db->get(), path_);
    ASSERT_TRUE(version.ok()) << version.error().message;
    EXPECT_EQ(*version, latest_schema_version());
    // The bodies are gone: the records are all there is.
    EXPECT_FALSE(exec(db->get(), "SELECT body FROM incidents").ok());
  }
  auto reader = IncidentReader::open(path_);
  ASSERT_TRUE(reader.ok()) << reader.error().message;
  v1::IncidentQuery q;
  q.set_id("cm_node:ucm-sub1@1795166060395000");
  auto found = (*reader)->incidents(q);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->incidents_size(), 1);
  EXPECT_EQ(incident_json(found->incidents(0)).dump(), old_incident_body());
  EXPECT_EQ(found->incidents(0).start_us(), kStart);

  // A body that was not JSON keeps what its row's columns said.
  q.set_id("module:sw-3f/2@1");
  found = (*reader)->incidents(q);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->incidents_size(), 1);
  EXPECT_EQ(found->incidents(0).scope().name(), "sw-3f/2");
  EXPECT_EQ(found->incidents(0).state(), v1::INCIDENT_STATE_OPEN);

  auto alert_reader = ConditionAlertReader::open(path_);
  ASSERT_TRUE(alert_reader.ok()) << alert_reader.error().message;
  auto alerts = (*alert_reader)->alerts(v1::AlertQuery());
  ASSERT_TRUE(alerts.ok()) << alerts.error().message;
  ASSERT_EQ(alerts->alerts_size(), 1);
  EXPECT_EQ(alerts->alerts(0).status(), v1::ALERT_STATUS_FIRING);
  EXPECT_EQ(alert_json(alerts->alerts(0)).dump(), old_alert_body());
}

}  // namespace
}  // namespace regwatch::collector::store
