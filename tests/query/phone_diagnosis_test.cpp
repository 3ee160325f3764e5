// regwatch explain's diagnosis on the collector, from a phone's stored events: its state and
// reason in words, one drop seen by several inputs merged (by the drop rule), its incident, and
// next steps that fit the reason's class. How the CLI shows it: tests/cli/explain_report_test.cpp.
#include "collector/query/phone_diagnosis.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "collector/correlate/correlator.h"
#include "common/time_format.h"

namespace regwatch::collector::query {
namespace {

const correlate::DropRule kRule(correlate::CorrelationSettings{}.merge_s);

// The tests write incidents as the CLI shows them (JSON); the store holds v1::Incident. A
// phone_count above the phones listed is made up with other phones, as a real incident has them.
v1::Incident incident_record(const nlohmann::ordered_json& i) {
  v1::Incident out;
  out.set_id(i.value("id", ""));
  out.set_incident_class(i.value("class", ""));
  if (i.contains("scope")) {
    out.mutable_scope()->set_type(i["scope"].value("type", ""));
    out.mutable_scope()->set_name(i["scope"].value("name", ""));
  }
  for (const auto& also : i.value("also_scopes", nlohmann::ordered_json::array())) {
    auto* a = out.add_also_scopes();
    a->set_type(also.value("type", ""));
    a->set_name(also.value("name", ""));
  }
  auto start = parse_time_arg(i.value("start_time", ""), 0);
  auto end = parse_time_arg(i.value("end_time", ""), 0);
  EXPECT_TRUE(start.ok() && end.ok()) << i.dump();
  if (start.ok()) out.set_start_us(*start);
  if (end.ok()) out.set_end_us(*end);
  for (const auto& phone : i.value("phones", nlohmann::ordered_json::array()))
    out.add_phones(phone.get<std::string>());
  const int count = i.value("phone_count", 0);
  for (int n = out.phones_size(); n < count; ++n)
    out.add_phones("SEPF0000000" + std::to_string(1000 + n));
  for (const auto& c : i.value("causes", nlohmann::ordered_json::array())) {
    auto* cause = out.add_causes();
    cause->set_kind(c.value("kind", ""));
    cause->set_subject(c.value("subject", ""));
    cause->set_remediation(c.value("remediation", ""));
  }
  return out;
}

std::vector<IncidentCandidate> candidates(const std::vector<nlohmann::ordered_json>& incidents) {
  std::vector<IncidentCandidate> out;
  for (const auto& i : incidents) out.push_back(incident_candidate(incident_record(i)));
  return out;
}

constexpr int64_t kT0 = 1'795'166'000'000'000;  // 2026-11-20T09:13:20Z
constexpr int64_t kSecond = 1'000'000;

class Timeline {
 public:
  v1::Event& add(v1::EventKind kind, int64_t t, v1::Source source = v1::SOURCE_SYSLOG) {
    auto* stored = list_.add_events();
    stored->set_id(list_.events_size());
    auto* e = stored->mutable_event();
    e->set_kind(kind);
    e->set_event_time_us(t);
    e->set_source(source);
    e->set_origin("ucm-sub1");
    e->mutable_phone()->set_device_name("SEP001122334455");
    e->mutable_phone()->set_cm_node("ucm-sub1");
    return *e;
  }
  const v1::EventList& list() const { return list_; }

 private:
  v1::EventList list_;
};

v1::EventList sighting() {
  v1::EventList list;
  auto* e = list.add_events()->mutable_event();
  e->set_kind(v1::TOPOLOGY);
  e->set_event_time_us(kT0 - 3600 * kSecond);
  auto* t = e->mutable_topology();
  t->set_device("SEP001122334455");
  t->set_switch_name("sw-3f");
  t->set_port("GigabitEthernet2/0/17");
  t->set_module(2);
  t->set_voice_vlan(120);
  t->set_protocol("cdp");
  return list;
}

TEST(PhoneDiagnosis, UnregisteredWithTheReasonInWordsAndOneDropFromTwoInputs) {
  Timeline t;
  t.add(v1::PHONE_REGISTERED, kT0 - 600 * kSecond);
  t.add(v1::CONNECTION_LOST, kT0, v1::SOURCE_SCCP).mutable_phone()->set_closed_by("phone rst");
  auto& syslog = t.add(v1::PHONE_UNREGISTERED, kT0 + 20 * kSecond);
  syslog.mutable_phone()->set_reason_code(13);
  syslog.mutable_phone()->set_reason("KeepAliveTimeout");
  syslog.mutable_phone()->set_description("Desk 36");
  const auto d = diagnose("SEP001122334455", kT0 + 60 * kSecond, t.list(), sighting(), {}, kRule);
  EXPECT_EQ(d.state(), v1::PHONE_STATE_UNREGISTERED);
  EXPECT_EQ(d.since_us(), kT0);  // the first report of the drop
  ASSERT_TRUE(d.reason().has_code());
  EXPECT_EQ(d.reason().code(), 13);
  EXPECT_EQ(d.reason().reason_class(), "network");
  EXPECT_NE(d.reason().meaning().find("KeepAlive message was not received"), std::string::npos);
  EXPECT_EQ(d.reported_by().size(), 2u);
  EXPECT_EQ(d.reason().text(), "phone rst");  // not the phone's label
  EXPECT_EQ(d.cm_node(), "ucm-sub1");
  ASSERT_FALSE(d.next_steps().empty());
  EXPECT_NE(d.next_steps(0).find("sw-3f GigabitEthernet2/0/17"), std::string::npos)
      << d.next_steps(0);
  EXPECT_EQ(d.last_drop_us(), kT0);
  EXPECT_EQ(d.attachment().event().topology().switch_name(), "sw-3f");
  EXPECT_TRUE(d.known());
  EXPECT_EQ(d.timeline().events_size(), 3);
}

TEST(PhoneDiagnosis, RegisteredAgainStillNamesItsLastDropAndIncident) {
  Timeline t;
  t.add(v1::PHONE_UNREGISTERED, kT0).mutable_phone()->set_reason_code(13);
  t.add(v1::PHONE_REGISTERED, kT0 + 40 * kSecond);
  nlohmann::ordered_json incident = {
      {"id", "cm_node:ucm-sub1@1"},
      {"class", "infrastructure"},
      {"scope", {{"type", "cm_node"}, {"name", "ucm-sub1"}}},
      {"start_time", "2026-11-20T09:13:00.000Z"},
      {"end_time", "2026-11-20T09:14:00.000Z"},
      {"phone_count", 38},
      {"phones", {"SEP001122334455", "SEPAAAAAAAAAAAA"}},
      {"causes", {{{"kind", "cm_cpu"}, {"subject", "ucm-sub1"}, {"remediation", "find the hog"}}}}};
  nlohmann::ordered_json elsewhere = incident;
  elsewhere["id"] = "other";
  elsewhere["phones"] = {"SEPAAAAAAAAAAAA"};
  const auto d = diagnose("SEP001122334455", kT0 + 3600 * kSecond, t.list(), {},
                          candidates({elsewhere, incident}), kRule);
  EXPECT_EQ(d.state(), v1::PHONE_STATE_REGISTERED);
  EXPECT_EQ(d.since_us(), kT0 + 40 * kSecond);
  EXPECT_EQ(d.last_drop_us(), kT0);
  ASSERT_TRUE(d.has_incident());
  EXPECT_EQ(d.incident().id(), "cm_node:ucm-sub1@1");
  bool names_incident = false;
  for (const auto& step : d.next_steps())
    names_incident |= step.find("cm_cpu") != std::string::npos;
  EXPECT_TRUE(names_incident);
}

TEST(PhoneDiagnosis, ItsIncidentSaysWhichOtherScopesWentDownWhole) {
  Timeline t;
  t.add(v1::PHONE_UNREGISTERED, kT0).mutable_phone()->set_reason_code(13);
  nlohmann::ordered_json incident = {
      {"id", "module:sw-4f/3@1"},
      {"class", "infrastructure"},
      {"scope", {{"type", "module"}, {"name", "sw-4f/3"}}},
      {"also_scopes", {{{"type", "subnet"}, {"name", "10.88.3.0/24"}}}},
      {"start_time", "2026-11-20T09:13:00.000Z"},
      {"end_time", "2026-11-20T09:14:00.000Z"},
      {"phone_count", 26},
      {"phones", {"SEP001122334455"}},
      {"causes", {{{"kind", "module_failure"}, {"subject", "sw-4f member 3"}}}}};
  const auto d =
      diagnose("SEP001122334455", kT0 + kSecond, t.list(), {}, candidates({incident}), kRule);
  ASSERT_TRUE(d.has_incident());
  EXPECT_EQ(d.incident().incident_class(), "infrastructure");
  EXPECT_EQ(d.incident().phone_count(), 26u);
  EXPECT_EQ(d.incident().scope().type(), "module");
  EXPECT_EQ(d.incident().scope().name(), "sw-4f/3");
  ASSERT_EQ(d.incident().also_scopes_size(), 1);
  EXPECT_EQ(d.incident().also_scopes(0).type(), "subnet");
  EXPECT_EQ(d.incident().also_scopes(0).name(), "10.88.3.0/24");
  EXPECT_EQ(d.incident().top_cause_kind(), "module_failure");
}

TEST(PhoneDiagnosis, RejectionsUseTheRegistrationFailureTable) {
  Timeline t;
  // 13 is DirectoryNumberMismatch for a rejection, KeepAliveTimeout for an unregistration.
  t.add(v1::PHONE_REGISTRATION_FAILED, kT0).mutable_phone()->set_reason_code(13);
  const auto d = diagnose("SEP001122334455", kT0 + kSecond, t.list(), {}, {}, kRule);
  EXPECT_EQ(d.state(), v1::PHONE_STATE_REJECTED);
  EXPECT_EQ(d.reason().name(), "DirectoryNumberMismatch");
  EXPECT_EQ(d.reason().reason_class(), "config");
  ASSERT_FALSE(d.next_steps().empty());
  EXPECT_NE(d.next_steps(0).find("directory number"), std::string::npos) << d.next_steps(0);
}

TEST(PhoneDiagnosis, TrustListFailuresPointAtTheItl) {
  Timeline t;
  auto& e = t.add(v1::PHONE_REGISTRATION_FAILED, kT0);
  e.mutable_phone()->set_reason("invalid file SEP001122334455.cnf.xml.sgn, authenticated fail");
  const auto d = diagnose("SEP001122334455", kT0 + kSecond, t.list(), {}, {}, kRule);
  ASSERT_FALSE(d.next_steps().empty());
  EXPECT_NE(d.next_steps(0).find("ITL"), std::string::npos) << d.next_steps(0);
}

TEST(PhoneDiagnosis, ThePhonesOwnAuthFailureIsASecurityDropInWords) {
  Timeline t;
  t.add(v1::PHONE_REGISTERED, kT0 - 3600 * kSecond);
  auto& e = t.add(v1::PHONE_AUTH_FAILED, kT0);
  e.set_origin("10.27.4.21");
  e.mutable_phone()->set_cm_node("");
  e.mutable_phone()->set_alarm("FileAuthFail");
  e.mutable_phone()->set_reason(
      "the phone could not authenticate SEP001122334455.cnf.xml.sgn; phone said: invalid file "
      "SEP001122334455.cnf.xml.sgn, authenticated fail. Reason:14.");
  nlohmann::ordered_json incident = {
      {"id", "subnet:10.27.4.0/24@1"},
      {"class", "security"},
      {"phone_count", 15},
      {"start_time", "2026-11-20T09:13:20.000Z"},
      {"end_time", "2026-11-20T09:14:00.000Z"},
      {"phones", {"SEP001122334455"}},
      {"causes",
       {{{"kind", "security"}, {"subject", "10.27.4.0/24"}, {"remediation", "erase the ITL"}}}}};
  const auto d =
      diagnose("SEP001122334455", kT0 + 60 * kSecond, t.list(), {}, candidates({incident}), kRule);
  EXPECT_EQ(d.state(),
            v1::PHONE_STATE_UNREGISTERED);  // a phone refusing its config does not register
  EXPECT_EQ(d.since_us(), kT0);
  EXPECT_FALSE(d.reason().has_code());  // the phone's "Reason:14" is not CUCM's table
  EXPECT_EQ(d.reason().name(), "FileAuthFail");
  EXPECT_EQ(d.reason().reason_class(), "security");
  ASSERT_TRUE(d.has_incident());
  // The incident first, then the phone's own security steps (not its switch port).
  ASSERT_GE(d.next_steps().size(), 4u);
  EXPECT_NE(d.next_steps(0).find("subnet:10.27.4.0/24@1"), std::string::npos);
  EXPECT_NE(d.next_steps(2).find("ITL"), std::string::npos) << d.next_steps(2);
  EXPECT_NE(d.next_steps(2).find("reset the security settings"), std::string::npos);
  EXPECT_NE(d.next_steps(3).find("TFTP"), std::string::npos) << d.next_steps(3);
  for (const auto& step : d.next_steps())
    EXPECT_EQ(step.find("switch port"), std::string::npos) << step;
  EXPECT_NE(d.reason().text().find("Reason:14."), std::string::npos);  // the phone's own words
}

TEST(PhoneDiagnosis, NothingStoredSaysSo) {
  const auto d = diagnose("SEP001122334455", kT0, {}, {}, {}, kRule);
  EXPECT_EQ(d.state(), v1::PHONE_STATE_UNKNOWN);
  ASSERT_EQ(d.next_steps().size(), 1u);
  EXPECT_NE(d.next_steps(0).find("regwatch status"), std::string::npos);
  EXPECT_FALSE(d.known());
}

TEST(PhoneDiagnosis, ARejectionAfterTheDropIsTheSameDropByTheRule) {
  Timeline t;
  t.add(v1::PHONE_REGISTERED, kT0 - 600 * kSecond);
  t.add(v1::PHONE_UNREGISTERED, kT0).mutable_phone()->set_reason_code(13);
  // It tries again and is refused, within merge_s: its state is rejected since then, but the
  // drop (what top and incidents count) began at the unregistration.
  t.add(v1::PHONE_REGISTRATION_FAILED, kT0 + 30 * kSecond).mutable_phone()->set_reason_code(5);
  const auto d = diagnose("SEP001122334455", kT0 + 60 * kSecond, t.list(), {}, {}, kRule);
  EXPECT_EQ(d.state(), v1::PHONE_STATE_REJECTED);
  EXPECT_EQ(d.since_us(), kT0 + 30 * kSecond);
  EXPECT_EQ(d.last_drop_us(), kT0);
}

}  // namespace
}  // namespace regwatch::collector::query
