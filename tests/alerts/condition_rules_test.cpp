// Condition alerts from events and source activity: each condition fires on
// recent evidence only, names what it is about, and stays quiet on the
// ordinary (a quiet switch, an agent with a stream open, old archives).
#include "alerts/condition_rules.h"

#include <gtest/gtest.h>

#include "alerts/incident_alert.h"

namespace regwatch::alerts {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kNow = 1'795'000'000 * kSecond;

regwatch::v1::Event event(regwatch::v1::EventKind kind, int64_t ago_s,
                          const std::string& origin = "ucm-sub1.voice.example.net") {
  regwatch::v1::Event e;
  e.set_kind(kind);
  e.set_event_time_us(kNow - ago_s * kSecond);
  e.set_origin(origin);
  e.set_agent_id("agent-1");
  return e;
}

const ConditionRule& rule(const std::string& condition) {
  static const auto rules = default_condition_rules();
  for (const auto& r : rules) {
    if (r.condition == condition) return r;
  }
  throw std::runtime_error("no default rule for " + condition);
}

std::vector<ActiveCondition> evaluate(ConditionInputs in, const std::string& condition) {
  in.now_us = kNow;
  return evaluate_conditions(in, {rule(condition)});
}

TEST(ConditionRules, HeartbeatLowFiresPerNodeOnRecentReportsOnly) {
  ConditionInputs in;
  auto low = event(regwatch::v1::HEARTBEAT_LOW, 120);
  low.mutable_heartbeat()->set_rate_per_minute(19);
  low.mutable_heartbeat()->set_threshold_per_minute(24);
  low.mutable_heartbeat()->set_node("ucm-sub1");
  in.events.emplace_back(7, low);
  auto old = event(regwatch::v1::HEARTBEAT_LOW, 3 * 3600, "ucm-sub2");  // hours ago: over
  in.events.emplace_back(8, old);
  const auto active = evaluate(in, "heartbeat_low");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].alert, "CallManagerHeartbeatLow");
  EXPECT_EQ(active[0].labels, (std::map<std::string, std::string>{{"cm_node", "ucm-sub1"}}));
  EXPECT_EQ(active[0].summary, "Heartbeat low on ucm-sub1: 19/min (threshold 24/min)");
  EXPECT_EQ(active[0].evidence, std::vector<int64_t>{7});
  EXPECT_EQ(active[0].identity, "CallManagerHeartbeatLow{cm_node=ucm-sub1}");
}

TEST(ConditionRules, CpuPeggedUntilSnmpSeesItNormalAgain) {
  ConditionInputs in;
  auto pegging = event(regwatch::v1::CPU_PEGGING, 60);
  pegging.mutable_rtmt_alert()->set_alert_name("CallProcessingNodeCpuPegging");
  pegging.mutable_rtmt_alert()->set_value(97);
  in.events.emplace_back(1, pegging);
  auto switch_high = event(regwatch::v1::CPU_HIGH, 30, "sw-3f");
  switch_high.mutable_cpu()->set_role("switch");  // not a CM node
  in.events.emplace_back(2, switch_high);
  auto active = evaluate(in, "cm_cpu");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].summary, "CPU pegged on ucm-sub1: CallProcessingNodeCpuPegging (97 %)");
  auto normal = event(regwatch::v1::CPU_NORMAL, 10);
  normal.mutable_cpu()->set_role("cucm");
  in.events.emplace_back(3, normal);
  EXPECT_TRUE(evaluate(in, "cm_cpu").empty());
}

TEST(ConditionRules, PhonesStuckAreOneAlertListingThemUnlessTheyRegistered) {
  ConditionInputs in;
  for (int i = 0; i < 3; ++i) {
    auto failed = event(regwatch::v1::PHONE_REGISTRATION_FAILED, 600 - i * 60);
    failed.mutable_phone()->set_device_name("SEP001122334455");
    failed.mutable_phone()->set_reason_code(3);
    in.events.emplace_back(10 + i, failed);
    auto other = failed;
    other.mutable_phone()->set_device_name("SEP00AABBCCDDEE");
    in.events.emplace_back(20 + i, other);
  }
  auto once = event(regwatch::v1::PHONE_REGISTRATION_FAILED, 30);
  once.mutable_phone()->set_device_name("SEP00FFFFFFFFFF");  // one failure: not stuck
  in.events.emplace_back(30, once);
  in.registered_since = [](const std::string& device, int64_t) {
    return device == "SEP00AABBCCDDEE";  // it made it in the end
  };
  const auto active = evaluate(in, "phone_stuck");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].summary, "1 phone(s) stuck failing registration");
  EXPECT_NE(active[0].description.find("SEP001122334455: 3 failures"), std::string::npos);
  EXPECT_NE(active[0].description.find("DatabaseConfigurationError"), std::string::npos);
  EXPECT_EQ(active[0].evidence, (std::vector<int64_t>{10, 11, 12}));
  EXPECT_EQ(active[0].command, "regwatch explain SEP001122334455");
}

// SIP phones rejected on the wire (issue 23: source sip, the final status, no CUCM code) are
// stuck like any other phone, and the list says their status.
TEST(ConditionRules, SipPhonesRejectedOnTheWireAreStuckToo) {
  ConditionInputs in;
  for (int i = 0; i < 3; ++i) {
    auto failed = event(regwatch::v1::PHONE_REGISTRATION_FAILED, 600 - i * 60);
    failed.set_source(regwatch::v1::SOURCE_SIP);
    failed.mutable_phone()->set_device_name("SEP00562B4C3D2E");
    failed.mutable_phone()->set_protocol("SIP");
    failed.mutable_phone()->set_sip_status(403);
    in.events.emplace_back(40 + i, failed);
  }
  const auto active = evaluate(in, "phone_stuck");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_NE(active[0].description.find("SEP00562B4C3D2E: 3 failures"), std::string::npos);
  EXPECT_NE(active[0].description.find("(SIP 403)"), std::string::npos) << active[0].description;
}

TEST(ConditionRules, RegisteredCountDropAboveTheThreshold) {
  ConditionInputs in;
  auto poll = [&](int64_t ago_s, uint64_t registered) {
    auto e = event(regwatch::v1::REGISTERED_PHONES, ago_s);
    e.mutable_registered_phones()->set_registered(registered);
    in.events.emplace_back(ago_s, e);
  };
  poll(240, 400);
  poll(120, 380);  // 5 % fewer: churn
  EXPECT_TRUE(evaluate(in, "registered_drop").empty());
  poll(60, 120);
  const auto active = evaluate(in, "registered_drop");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].summary,
            "ucm-sub1: 120 phones registered, 70 % fewer than the 400 within 5 min");
}

TEST(ConditionRules, AnAgentIsSilentOnlyWithoutAStreamAndSourcesByTheirOwnPace) {
  ConditionInputs in;
  const int64_t hour = 3600 * kSecond;
  // agent-1 sent until 20 minutes ago; its stream closed then.
  in.sources.push_back({"agent-1", "ucm-sub1", "syslog", kNow - 5 * hour, kNow - hour / 3, 5000});
  // agent-2 has a stream open: healthy however quiet.
  in.sources.push_back({"agent-2", "ucm-pub", "syslog", kNow - 5 * hour, kNow - 2 * hour, 5000});
  // Behind agent-2: a busy CUCM that stopped 40 minutes ago, and a switch that logs twice an
  // hour and was last heard 40 minutes ago (its usual pace: not silent).
  in.sources.push_back(
      {"agent-2", "ucm-sub2", "syslog", kNow - 5 * hour, kNow - 2 * hour / 3, 9000});
  in.sources.push_back({"agent-2", "sw-3f", "syslog", kNow - 5 * hour, kNow - 2 * hour / 3, 10});
  in.agent_connected = [](const std::string& agent) { return agent == "agent-2"; };
  in.agent_closed_at = [&](const std::string&) { return kNow - hour / 3; };
  in.now_us = kNow;
  const auto active = evaluate_conditions(in, {rule("agent_silent"), rule("source_silent")});
  ASSERT_EQ(active.size(), 3u);  // agent-1; ucm-pub (2 h) and ucm-sub2 (40 min) behind agent-2
  EXPECT_EQ(active[0].alert, "AgentSilent");
  EXPECT_EQ(active[0].labels.at("agent"), "agent-1");
  EXPECT_EQ(active[0].summary, "Agent agent-1 silent for 20 min");
  EXPECT_EQ(active[1].labels.at("source"), "ucm-pub");
  EXPECT_EQ(active[2].labels.at("source"), "ucm-sub2");
  EXPECT_EQ(active[2].summary, "ucm-sub2 sent no syslog events for 40 min");
}

TEST(ConditionRules, PhonesStillDownPerIncidentOnceItQuietedAndOnlyWhileAnyAreDown) {
  ConditionInputs in;
  auto quiet = [](const std::string& key, int64_t quieted_ago_s, int down) {
    QuietIncident q;
    q.key = key;
    q.id = key;
    q.scope_type = "cm_node";
    q.scope_name = "ucm-sub1";
    q.end_us = kNow - (quieted_ago_s + 300) * kSecond;
    q.quieted_us = kNow - quieted_ago_s * kSecond;
    for (int n = 0; n < down; ++n) q.still_down.push_back("SEP0000000000" + std::to_string(10 + n));
    return q;
  };
  in.quiet_incidents = {quiet("cm_node:ucm-sub1@1", 3600, 25),       // quiet an hour: fires
                        quiet("cm_node:ucm-sub1@2", 600, 3),         // quiet 10 min: not yet (30)
                        quiet("cm_node:ucm-sub1@3", 3600, 0),        // every phone back
                        quiet("cm_node:ucm-sub1@4", 3 * 86400, 4)};  // beyond the day watched
  const auto active = evaluate(in, "phones_still_down");
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].alert, "PhonesStillDown");
  EXPECT_EQ(active[0].labels.at("incident"), "cm_node:ucm-sub1@1");
  EXPECT_EQ(active[0].summary,
            "25 phone(s) of the burst on cm_node ucm-sub1 still not registered, 60 min after it "
            "quieted");
  EXPECT_NE(active[0].description.find("- SEP000000000010\n"), std::string::npos);
  EXPECT_NE(active[0].description.find("- and 5 more"), std::string::npos);
  EXPECT_EQ(active[0].command, "regwatch incident 'cm_node:ucm-sub1@1'");
  // It reads incidents, not events: its day-long window does not widen the events' look-back.
  EXPECT_EQ(condition_lookback_s({rule("phones_still_down"), rule("heartbeat_low")}), 600u);
}

TEST(ConditionRules, ABodyBecomesAnAlertWithItsLabelsAndNoEndWhileFiring) {
  ActiveCondition c;
  c.alert = "CallManagerDown";
  c.condition = "cm_down";
  c.severity = "critical";
  c.labels = {{"cm_node", "ucm-sub1"}};
  c.summary = "CallManager failed on ucm-sub1";
  const auto record =
      condition_record(c, "CallManagerDown{cm_node=ucm-sub1}@1", v1::ALERT_STATUS_FIRING, kNow, 0);
  const auto alert = alert_for(record, default_alert_rules(), "");
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->kind, "condition");
  EXPECT_EQ(alert->key, "CallManagerDown{cm_node=ucm-sub1}@1");
  EXPECT_EQ(alert->labels.at("alertname"), "CallManagerDown");
  EXPECT_EQ(alert->labels.at("cm_node"), "ucm-sub1");
  EXPECT_EQ(alert->labels.at("severity"), "critical");
  EXPECT_FALSE(alert->resolved);
  EXPECT_GT(alert->ends_us, kNow);
}

TEST(ConditionRules, ConfigRejectsUnknownConditionsAndMissingThresholds) {
  AlertingConfig config;
  ConditionRule bad;
  bad.alert = "X";
  bad.condition = "cpu_everywhere";
  ConditionRule no_threshold;
  no_threshold.alert = "Y";
  no_threshold.condition = "phone_stuck";
  config.conditions = {bad, no_threshold};
  const std::string problems = alerting_config_problems(config);
  EXPECT_NE(
      problems.find("alerting.conditions[0]: unknown condition 'cpu_everywhere' (agent_drops,"),
      std::string::npos)
      << problems;
  EXPECT_NE(problems.find("alerting.conditions[1]: phone_stuck needs a threshold > 0"),
            std::string::npos)
      << problems;
}

}  // namespace
}  // namespace regwatch::alerts
