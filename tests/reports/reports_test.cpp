// The reports library (common/reports/): each function on a hand-built reply, checking the
// fields the CLI and the HTTP API promise. The byte-exact CLI output is tests/cli's.
#include <gtest/gtest.h>

#include <string>

#include "common/reports/alert_report.h"
#include "common/reports/event_report.h"
#include "common/reports/explain_report.h"
#include "common/reports/incident_report.h"
#include "common/reports/silence_report.h"
#include "common/reports/status_report.h"
#include "common/reports/top_report.h"

namespace regwatch::reports {
namespace {

constexpr int64_t kT0 = 1435818151454000;  // 2015-07-02T06:22:31.454Z

void fill_drop(v1::StoredEvent& stored, int64_t id) {
  stored.set_id(id);
  stored.set_store_time_us(kT0 + 1000);
  auto* e = stored.mutable_event();
  e->set_agent_id("a1");
  e->set_seq(3);
  e->set_event_time_us(kT0);
  e->set_origin("uc-ucm-01");
  e->set_source(v1::SOURCE_SYSLOG);
  e->set_kind(v1::PHONE_UNREGISTERED);
  auto* p = e->mutable_phone();
  p->set_device_name("SEPE0D1730A8137");
  p->set_ip("10.60.98.210");
  p->set_reason_code(13);
  p->set_reason("KeepAliveTimeout");
}

v1::IncidentView sample_view() {
  v1::IncidentView view;
  auto* i = view.mutable_incident();
  i->set_id("cm_node:ucm-sub1@1");
  i->set_state(v1::INCIDENT_STATE_OPEN);
  i->set_incident_class("infrastructure");
  i->mutable_scope()->set_type("cm_node");
  i->mutable_scope()->set_name("ucm-sub1");
  i->set_start_us(kT0);
  i->set_end_us(kT0 + 60'000'000);
  i->add_phones("SEPE0D1730A8137");
  i->add_phones("SEP0017943A98BA");
  (*i->mutable_phones_by_cm())["ucm-sub1"] = 2;
  (*i->mutable_phones_by_switch())["sw|1"] = 2;  // a pipe must not break the table
  auto* c = i->add_causes();
  c->set_kind("cm_cpu");
  c->set_subject("ucm-sub1");
  c->set_score(0.9166);
  c->set_explanation("CPU pegged");
  c->set_remediation("check the CallManager service");
  c->add_evidence(7);
  view.set_first_id("cm_node:ucm-sub1@0");
  auto* u = view.add_updates();
  u->set_at_us(kT0 + 5'000'000);
  u->set_id("cm_node:ucm-sub1@0");
  u->set_state(v1::INCIDENT_STATE_OPEN);
  u->set_phone_count(2);
  u->set_change("opened");
  fill_drop(*view.mutable_evidence()->add_events(), 7);
  return view;
}

TEST(Reports, EventObjectIsFlat) {
  v1::StoredEvent stored;
  fill_drop(stored, 7);
  const auto j = event_object(stored);
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["event_time"], "2015-07-02T06:22:31.454Z");
  EXPECT_EQ(j["kind"], "phone_unregistered");
  EXPECT_EQ(j["source"], "syslog");
  EXPECT_EQ(j["device"], "SEPE0D1730A8137");
  EXPECT_EQ(j["reason_code"], 13);
  EXPECT_FALSE(j.contains("device_name"));
  EXPECT_EQ(j.begin().key(), "id");  // envelope first
}

TEST(Reports, EventsJsonIsAnArrayInOrder) {
  v1::EventList list;
  fill_drop(*list.add_events(), 7);
  fill_drop(*list.add_events(), 8);
  const auto j = events_json(list);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["id"], 8);
  EXPECT_TRUE(events_json(v1::EventList()).is_array());
}

TEST(Reports, IncidentsJson) {
  v1::IncidentList list;
  *list.add_incidents() = sample_view().incident();
  const auto j = incidents_json(list);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["id"], "cm_node:ucm-sub1@1");
  EXPECT_EQ(j[0]["state"], "open");
  EXPECT_EQ(j[0]["class"], "infrastructure");
  EXPECT_EQ(j[0]["phone_count"], 2);
}

TEST(Reports, IncidentViewJson) {
  auto view = sample_view();
  auto j = incident_view_json(view);
  EXPECT_EQ(j["incident"]["id"], "cm_node:ucm-sub1@1");
  EXPECT_EQ(j["first_id"], "cm_node:ucm-sub1@0");
  ASSERT_EQ(j["updates"].size(), 1u);
  EXPECT_EQ(j["updates"][0]["change"], "opened");
  EXPECT_EQ(j["updates"][0]["state"], "open");
  ASSERT_EQ(j["timeline"].size(), 1u);
  EXPECT_EQ(j["timeline"][0]["device"], "SEPE0D1730A8137");
  EXPECT_FALSE(j.contains("timeline_truncated"));  // only said when cut
  view.set_evidence_cut(true);
  EXPECT_EQ(incident_view_json(view)["timeline_truncated"], true);
}

TEST(Reports, IncidentMarkdown) {
  auto view = sample_view();
  const std::string md = incident_markdown(view);
  EXPECT_EQ(md.rfind("# Incident cm_node:ucm-sub1@1\n", 0), 0u);
  EXPECT_NE(md.find("- **What:** 2 phones dropped, infrastructure (open)\n"), std::string::npos);
  EXPECT_NE(md.find("- **First reported as:** cm_node:ucm-sub1@0"), std::string::npos);
  EXPECT_NE(md.find("1. **cm_cpu** on ucm-sub1 (score 0.917)"), std::string::npos);
  EXPECT_NE(md.find("Evidence: events [7]"), std::string::npos);
  EXPECT_NE(md.find("| sw 1 | 2 |"), std::string::npos);
  EXPECT_NE(md.find("| syslog | uc-ucm-01 | SEPE0D1730A8137 |"), std::string::npos);
  EXPECT_EQ(md.find("timeline cut"), std::string::npos);
  EXPECT_EQ(md.back(), '\n');
  view.set_evidence_cut(true);
  EXPECT_NE(incident_markdown(view).find("\n(timeline cut at 1 events)\n"), std::string::npos);
}

TEST(Reports, DiagnosisJson) {
  v1::ExplainReply d;
  d.set_device("SEPE0D1730A8137");
  d.set_at_us(kT0);
  d.set_state(v1::PHONE_STATE_UNREGISTERED);
  d.set_since_us(kT0);
  d.mutable_reason()->set_code(13);
  d.mutable_reason()->set_name("KeepAliveTimeout");
  d.add_next_steps("check the switch port");
  fill_drop(*d.mutable_timeline()->add_events(), 7);
  const auto j = diagnosis_json(d);
  EXPECT_EQ(j["state"], "unregistered");
  EXPECT_EQ(j["since"], "2015-07-02T06:22:31.454Z");
  EXPECT_TRUE(j["last_drop"].is_null());
  EXPECT_EQ(j["reason"]["code"], 13);
  EXPECT_EQ(j["reason"]["name"], "KeepAliveTimeout");
  EXPECT_TRUE(j["attachment"].is_null());
  EXPECT_TRUE(j["incident"].is_null());
  EXPECT_EQ(j["next_steps"][0], "check the switch port");
  EXPECT_EQ(j["timeline"][0]["id"], 7);
}

TEST(Reports, TopJson) {
  v1::TopReply top;
  top.set_drops(5);
  top.set_phones_dropped(2);
  auto* r = top.add_reasons();
  r->set_code(-1);  // seen on the wire without a code
  r->set_name("no code");
  r->set_drops(5);
  auto* phone = top.add_phones();
  phone->set_name("SEPE0D1730A8137");
  phone->set_drops(4);
  phone->set_where("sw1 Gi1/0/12");
  auto* sw = top.add_switches();
  sw->set_name("sw1");
  sw->set_where("ignored: switches have no where");
  const auto j = top_json(top);
  EXPECT_EQ(j["drops"], 5);
  EXPECT_TRUE(j["reasons"][0]["code"].is_null());
  EXPECT_EQ(j["phones"][0]["port"], "sw1 Gi1/0/12");
  EXPECT_TRUE(j["ports"].is_array());
  EXPECT_FALSE(j["switches"][0].contains("where"));
}

TEST(Reports, AlertsJson) {
  v1::AlertList list;
  auto* a = list.add_alerts();
  a->set_id("HeartbeatLow:1");
  a->set_alertname("HeartbeatLow");
  a->set_status(v1::ALERT_STATUS_FIRING);
  a->set_start_us(kT0);
  const auto j = alerts_json(list);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["kind"], "condition");
  EXPECT_EQ(j[0]["alertname"], "HeartbeatLow");
  EXPECT_EQ(j[0]["end_time"], "");  // still firing
}

TEST(Reports, SilenceJson) {
  v1::Silence s;
  s.set_id("s1");
  s.set_starts_us(kT0);
  s.set_ends_us(kT0 + 3'600'000'000);
  auto* m = s.add_label_matchers();
  m->set_name("scope");
  m->set_type(v1::LabelMatcher::REGEX);
  m->set_value("ucm-.*");
  const auto j = silence_json(s, kT0 + 1);
  EXPECT_EQ(j["id"], "s1");
  EXPECT_EQ(j["state"], "active");
  EXPECT_EQ(j["matchers"][0]["type"], "=~");
  EXPECT_EQ(j["matchers"][0]["value"], "ucm-.*");
  EXPECT_EQ(silence_json(s, kT0 - 1)["state"], "pending");
  EXPECT_EQ(silence_json(s, kT0 + 3'600'000'000)["state"], "expired");
}

TEST(Reports, SilencesJson) {
  v1::SilenceList list;
  list.add_silences()->set_id("new");
  list.add_silences()->set_id("old");
  const auto j = silences_json(list, kT0);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["id"], "new");
  EXPECT_EQ(j[1]["state"], "expired");  // ends_us 0
}

TEST(Reports, StatusJson) {
  v1::StatusReply status;
  status.set_version("0.1.0");
  status.set_schema_version(12);
  status.set_total_events(42);
  auto* a = status.add_agents();
  a->set_agent_id("a1");
  a->set_events(42);
  a->set_last_store_time_us(kT0);
  status.add_receivers()->set_receiver("noc-webhook");
  const auto j = status_json(status);
  EXPECT_EQ(j["schema_version"], 12);
  EXPECT_EQ(j["agents"][0]["agent_id"], "a1");
  EXPECT_EQ(j["agents"][0]["last_store_time"], "2015-07-02T06:22:31.454Z");
  EXPECT_EQ(j["receivers"][0]["receiver"], "noc-webhook");
}

TEST(Reports, StatusJsonShowsQuietAgentsAndIncompleteTargets) {
  v1::StatusReply status;
  auto* quiet = status.add_agents();
  quiet->set_agent_id("fresh");
  quiet->set_connected(true);
  auto* busy = status.add_agents();
  busy->set_agent_id("noc1");
  busy->set_events(3);
  busy->set_last_store_time_us(kT0);
  auto* target = busy->add_incomplete_targets();
  target->set_target("ucm-pub");
  target->set_role("cucm");
  target->set_missing("CISCO-CCM-MIB");
  target->set_since_us(kT0);
  const auto j = status_json(status);
  EXPECT_TRUE(j["agents"][0]["connected"].get<bool>());
  EXPECT_EQ(j["agents"][0]["events"], 0);
  EXPECT_TRUE(j["agents"][0]["last_store_time"].is_null());  // nothing stored: no 1970
  EXPECT_FALSE(j["agents"][1]["connected"].get<bool>());
  ASSERT_EQ(j["agents"][1]["incomplete_targets"].size(), 1u);
  EXPECT_EQ(j["agents"][1]["incomplete_targets"][0]["missing"], "CISCO-CCM-MIB");
  EXPECT_EQ(j["agents"][1]["incomplete_targets"][0]["since"], "2015-07-02T06:22:31.454Z");
}

TEST(Reports, StatusJsonSaysWhyTheStoreCouldNotBeRead) {
  v1::StatusReply status;
  EXPECT_TRUE(status_json(status)["store_error"].is_null()) << "null while the store answers";
  status.set_store_error("no reply from PostgreSQL within 2000 ms");
  EXPECT_EQ(status_json(status)["store_error"], "no reply from PostgreSQL within 2000 ms");
}

}  // namespace
}  // namespace regwatch::reports
