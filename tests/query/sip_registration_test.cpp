// regwatch explain's SIP panel (collector/query/sip_registration.h): for a phone the agent saw
// register over SIP, the protocol, the Expires granted, its firmware and firmware history, and
// the phone's own account of its last loss beside CUCM's reason code for that same drop; and
// how the JSON (the API, the dashboard) says it; the CLI's text: tests/cli/explain_report_test.cpp.
#include "collector/query/sip_registration.h"

#include <gtest/gtest.h>

#include "collector/correlate/correlator.h"
#include "collector/query/phone_diagnosis.h"
#include "common/reports/explain_report.h"

namespace regwatch::collector::query {
namespace {

const correlate::DropRule kRule(correlate::CorrelationSettings{}.merge_s);
constexpr int64_t kT0 = 1'796'547'600'000'000;  // 2026-12-06T09:00:00Z
constexpr int64_t kSecond = 1'000'000;
const std::string kDevice = "SEP00562B4C3D2E";

class Timeline {
 public:
  v1::PhoneEvent& add(v1::EventKind kind, int64_t t, v1::Source source) {
    auto* stored = list_.add_events();
    stored->set_id(list_.events_size());
    auto* e = stored->mutable_event();
    e->set_kind(kind);
    e->set_event_time_us(t);
    e->set_source(source);
    e->set_origin(source == v1::SOURCE_SYSLOG ? "ucm-sub1" : "10.1.1.5");
    auto& p = *e->mutable_phone();
    p.set_device_name(kDevice);
    p.set_cm_node(source == v1::SOURCE_SYSLOG ? "ucm-sub1" : "10.1.1.5");
    if (source == v1::SOURCE_SIP) {
      p.set_protocol("SIP");
      p.set_transport("tcp");
      p.set_user_agent("Cisco-CP8845/14.2.1");
      p.set_line("sip:1001@10.1.1.5");
    }
    return p;
  }
  // The first REGISTER after a restart, answered: Expires 120 granted, the Reason header's words.
  v1::PhoneEvent& registered(int64_t t, const std::string& last, const std::string& load) {
    auto& p = add(v1::PHONE_REGISTERED, t, v1::SOURCE_SIP);
    p.set_keepalive_interval_s(120);
    p.set_load_name(load);
    if (!last.empty()) {
      p.set_last_loss(last);
      p.set_cisco_alarm(14);
    }
    return p;
  }
  v1::EventList& list() { return list_; }

 private:
  v1::EventList list_;
};

// Registered on sip88xx.14-1, then its refresh went unanswered and CUCM's syslog reported it
// unregistered (13, KeepAliveTimeout); the phone came back on a new load and said, in its first
// REGISTER, that the CM had closed its TCP connection.
Timeline a_fall_and_a_new_load() {
  Timeline t;
  t.registered(kT0, "", "sip88xx.14-1-1-0001-10");
  auto& missed = t.add(v1::KEEPALIVE_MISSED, kT0 + 600 * kSecond, v1::SOURCE_SIP);
  missed.set_silent_for_ms(150'000);
  t.add(v1::PHONE_UNREGISTERED, kT0 + 610 * kSecond, v1::SOURCE_SYSLOG).set_reason_code(13);
  t.add(v1::CONNECTION_LOST, kT0 + 611 * kSecond, v1::SOURCE_SIP).set_closed_by("cm fin");
  auto& fw = t.add(v1::PHONE_FIRMWARE_CHANGED, kT0 + 700 * kSecond, v1::SOURCE_SIP);
  fw.set_previous_load_name("sip88xx.14-1-1-0001-10");
  fw.set_load_name("sip88xx.14-2-1-0001-14");
  t.registered(kT0 + 700 * kSecond, "cm-closed-tcp", "sip88xx.14-2-1-0001-14");
  return t;
}

TEST(SipRegistration, ShowsExpiresFirmwareHistoryAndThePhonesAccountBesideCucms) {
  Timeline t = a_fall_and_a_new_load();
  const auto sip = sip_registration_of(t.list(), kRule);
  ASSERT_TRUE(sip.has_value());
  EXPECT_EQ(sip->expires_s(), 120u);
  EXPECT_EQ(sip->registered_us(), kT0 + 700 * kSecond);
  EXPECT_EQ(sip->transport(), "tcp");
  EXPECT_EQ(sip->user_agent(), "Cisco-CP8845/14.2.1");
  EXPECT_EQ(sip->line(), "sip:1001@10.1.1.5");
  EXPECT_EQ(sip->load_name(), "sip88xx.14-2-1-0001-14");
  ASSERT_EQ(sip->firmware_history_size(), 1);
  EXPECT_EQ(sip->firmware_history(0).from_load(), "sip88xx.14-1-1-0001-10");
  EXPECT_EQ(sip->firmware_history(0).to_load(), "sip88xx.14-2-1-0001-14");
  EXPECT_EQ(sip->firmware_history(0).at_us(), kT0 + 700 * kSecond);
  EXPECT_EQ(sip->last_loss(), "cm-closed-tcp");
  EXPECT_EQ(sip->last_loss_name(), "TCPucmClosedConnection");  // from the table: none stamped
  EXPECT_EQ(sip->last_loss_class(), "network");
  EXPECT_FALSE(sip->last_loss_meaning().empty());
  EXPECT_EQ(sip->cisco_alarm(), 14u);
  EXPECT_EQ(sip->last_loss_us(), kT0 + 700 * kSecond);
  ASSERT_TRUE(sip->has_cucm_reason());
  EXPECT_EQ(sip->cucm_reason().code(), 13);
  EXPECT_EQ(sip->cucm_reason().name(), "KeepAliveTimeout");
  EXPECT_EQ(sip->cucm_reason().reason_class(), "network");
}

TEST(SipRegistration, TheAgentsStampedNamesWin) {
  Timeline t = a_fall_and_a_new_load();
  auto& p = *t.list().mutable_events(t.list().events_size() - 1)->mutable_event()->mutable_phone();
  p.set_last_loss("Some-New-Word");
  p.set_last_loss_name("SomeNewName");
  p.set_last_loss_class("planned");
  const auto sip = sip_registration_of(t.list(), kRule);
  ASSERT_TRUE(sip.has_value());
  EXPECT_EQ(sip->last_loss_name(), "SomeNewName");
  EXPECT_EQ(sip->last_loss_class(), "planned");
  EXPECT_EQ(sip->last_loss_meaning(), "");  // not in our table
}

TEST(SipRegistration, AnUnknownWordIsKeptAndClassedOther) {
  Timeline t;
  t.registered(kT0, "Brand-New-Reason", "sip78xx.14-2-1");
  const auto sip = sip_registration_of(t.list(), kRule);
  ASSERT_TRUE(sip.has_value());
  EXPECT_EQ(sip->last_loss(), "Brand-New-Reason");
  EXPECT_EQ(sip->last_loss_name(), "");
  EXPECT_EQ(sip->last_loss_class(), "other");
  EXPECT_FALSE(sip->has_cucm_reason());  // no drop before it
}

TEST(SipRegistration, CucmsReasonOfAnOlderDropIsNotPutBesideANewAccount) {
  Timeline t = a_fall_and_a_new_load();
  // Registered, then a later restart the wire saw only as the new REGISTER: CUCM said nothing
  // about that one, so its old KeepAliveTimeout must not stand beside the new words.
  t.registered(kT0 + 5000 * kSecond, "reset-restart", "sip88xx.14-2-1-0001-14");
  const auto sip = sip_registration_of(t.list(), kRule);
  ASSERT_TRUE(sip.has_value());
  EXPECT_EQ(sip->last_loss(), "reset-restart");
  EXPECT_EQ(sip->last_loss_class(), "planned");
  EXPECT_FALSE(sip->has_cucm_reason());
}

TEST(SipRegistration, NoSipEventsNoPanel) {
  Timeline t;
  t.add(v1::PHONE_REGISTERED, kT0, v1::SOURCE_SCCP).set_protocol("SCCP");
  t.add(v1::PHONE_UNREGISTERED, kT0 + 60 * kSecond, v1::SOURCE_SYSLOG).set_reason_code(13);
  EXPECT_FALSE(sip_registration_of(t.list(), kRule).has_value());
  EXPECT_EQ(protocol_of(t.list()), "SCCP");
}

TEST(SipRegistration, ASpoofedEventIsNotBelieved) {
  Timeline t;
  t.registered(kT0, "", "sip88xx.14-1");
  auto& forged = *t.list().add_events()->mutable_event();
  forged = t.list().events(0).event();
  forged.set_event_time_us(kT0 + 10 * kSecond);
  forged.mutable_phone()->set_last_loss("Reset-Reset");
  forged.mutable_provenance()->set_spoofed(true);
  const auto sip = sip_registration_of(t.list(), kRule);
  ASSERT_TRUE(sip.has_value());
  EXPECT_EQ(sip->last_loss(), "");
}

TEST(SipRegistration, TheDiagnosisCarriesItAndTheProtocol) {
  Timeline t = a_fall_and_a_new_load();
  const auto d = diagnose(kDevice, kT0 + 800 * kSecond, t.list(), {}, {}, kRule);
  EXPECT_EQ(d.state(), v1::PHONE_STATE_REGISTERED);
  EXPECT_EQ(d.protocol(), "SIP");
  ASSERT_TRUE(d.has_sip());
  EXPECT_EQ(d.sip().expires_s(), 120u);

  const auto j = reports::diagnosis_json(d);
  EXPECT_EQ(j["protocol"], "SIP");
  EXPECT_EQ(j["sip"]["expires_s"], 120);
  EXPECT_EQ(j["sip"]["load_name"], "sip88xx.14-2-1-0001-14");
  EXPECT_EQ(j["sip"]["last_loss"]["words"], "cm-closed-tcp");
  EXPECT_EQ(j["sip"]["last_loss"]["name"], "TCPucmClosedConnection");
  EXPECT_EQ(j["sip"]["last_loss"]["class"], "network");
  EXPECT_EQ(j["sip"]["last_loss"]["cucm_reason"]["code"], 13);
  ASSERT_EQ(j["sip"]["firmware_history"].size(), 1u);
  EXPECT_EQ(j["sip"]["firmware_history"][0]["to"], "sip88xx.14-2-1-0001-14");
}

TEST(SipRegistration, AnSccpPhonesDiagnosisHasNoSipPanel) {
  Timeline t;
  t.add(v1::PHONE_REGISTERED, kT0, v1::SOURCE_SCCP).set_protocol("SCCP");
  const auto d = diagnose(kDevice, kT0 + 60 * kSecond, t.list(), {}, {}, kRule);
  EXPECT_FALSE(d.has_sip());
  EXPECT_EQ(d.protocol(), "SCCP");
  EXPECT_TRUE(reports::diagnosis_json(d)["sip"].is_null());
}

}  // namespace
}  // namespace regwatch::collector::query
