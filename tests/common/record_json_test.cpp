// Incident records: the stored bytes do not depend on the order their maps were filled in (so
// determinism tests can compare them byte for byte), and the JSON rendering is the contract the
// CLI and the payloads print (field order, maps in key order, scores to 3 decimals).
#include "common/record_json.h"

#include <gtest/gtest.h>

#include "common/alert_status.h"
#include "common/incident_state.h"
#include "common/record_bytes.h"

namespace regwatch {
namespace {

v1::Incident incident(bool reversed) {
  v1::Incident i;
  i.set_id("cm_node:ucm-sub1@1");
  i.set_state(v1::INCIDENT_STATE_OPEN);
  i.set_incident_class("infrastructure");
  i.mutable_scope()->set_type("cm_node");
  i.mutable_scope()->set_name("ucm-sub1");
  i.add_phones("SEP000000000001");
  i.add_phones("SEP000000000002");
  const char* names[] = {"sw-3f", "sw-4f", "unknown"};
  for (int k = 0; k < 3; ++k) (*i.mutable_phones_by_switch())[names[reversed ? 2 - k : k]] = 1;
  auto* cause = i.add_causes();
  cause->set_kind("cm_cpu");
  cause->set_score(0.92749);
  cause->add_evidence(7);
  return i;
}

TEST(RecordBytes, TheSameIncidentIsTheSameBytesWhateverItsMapsOrder) {
  EXPECT_EQ(deterministic_bytes(incident(false)), deterministic_bytes(incident(true)));
  v1::Incident back;
  ASSERT_TRUE(parse_record(deterministic_bytes(incident(true)), back));
  EXPECT_EQ(deterministic_bytes(back), deterministic_bytes(incident(false)));
  EXPECT_FALSE(parse_record("\xff\xff\xff", back));
}

TEST(RecordJson, AnIncidentRendersItsFieldsInTheirOrderWithMapsByKey) {
  EXPECT_EQ(incident_json(incident(true)).dump(),
            R"({"id":"cm_node:ucm-sub1@1","state":"open","class":"infrastructure",)"
            R"("scope":{"type":"cm_node","name":"ucm-sub1"},"also_scopes":[],)"
            R"("start_time":"1970-01-01T00:00:00.000Z","end_time":"1970-01-01T00:00:00.000Z",)"
            R"("phone_count":2,"recovered":0,"still_down":[],"phones_by_cm":{},)"
            R"("phones_by_switch":{"sw-3f":1,"sw-4f":1,"unknown":1},"phones_by_cluster":{},)"
            R"("reasons":[],"rejection_reasons":[],"phone_auth_failures":0,)"
            R"("causes":[{"kind":"cm_cpu","subject":"","score":0.927,"explanation":"",)"
            R"("remediation":"","evidence":[7]}],)"
            R"("phones":["SEP000000000001","SEP000000000002"],"flapping":[],"drop_evidence":[]})");
  EXPECT_EQ(score_text(0.92749), "0.927");
}

TEST(RecordJson, AConditionAlertHasNoEndTimeWhileFiring) {
  v1::Alert a;
  a.set_id("AgentSilent{agent=a}@1");
  a.set_status(v1::ALERT_STATUS_FIRING);
  const auto j = alert_json(a);
  EXPECT_EQ(j["kind"], "condition");
  EXPECT_EQ(j["state"], "firing");
  EXPECT_EQ(j["end_time"], "");
  a.set_status(v1::ALERT_STATUS_RESOLVED);
  a.set_end_us(1'000);
  EXPECT_EQ(alert_json(a)["state"], "resolved");
  EXPECT_EQ(alert_json(a)["end_time"], "1970-01-01T00:00:00.001Z");
}

TEST(AlertStatus, ItsWordsGoBothWays) {
  for (auto status : {v1::ALERT_STATUS_FIRING, v1::ALERT_STATUS_RESOLVED})
    EXPECT_EQ(parse_alert_status(alert_status_name(status)), status);
  EXPECT_EQ(alert_status_name(v1::ALERT_STATUS_UNSPECIFIED), "");
  EXPECT_FALSE(parse_alert_status("firing#2").has_value());
}

TEST(IncidentState, ItsWordsGoBothWaysAndAreWhatJsonSays) {
  for (auto state :
       {v1::INCIDENT_STATE_OPEN, v1::INCIDENT_STATE_RESOLVED, v1::INCIDENT_STATE_WITHDRAWN}) {
    EXPECT_EQ(parse_incident_state(incident_state_name(state)), state);
    v1::Incident i;
    i.set_state(state);
    EXPECT_EQ(incident_json(i)["state"], incident_state_name(state));
  }
  // The words the store's state column, the SQL filters and the JSON contract use.
  EXPECT_EQ(incident_state_names(),
            (std::array<std::string_view, 3>{"open", "resolved", "withdrawn"}));
  EXPECT_EQ(incident_state_name(v1::INCIDENT_STATE_UNSPECIFIED), "");
  EXPECT_FALSE(parse_incident_state("").has_value());
  EXPECT_FALSE(parse_incident_state("Open").has_value());
}

}  // namespace
}  // namespace regwatch
