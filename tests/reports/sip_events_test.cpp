// SIP phone events (issue 23) as `regwatch events` shows them: the table's reason and detail
// columns (event_summary.h) and the flat JSON object (event_report.h) with every SIP field.
#include <gtest/gtest.h>

#include <string>

#include "common/event_kind.h"
#include "common/reports/event_report.h"
#include "common/reports/event_summary.h"

namespace regwatch::reports {
namespace {

constexpr int64_t kT0 = 1'796'547'600'000'000;  // 2026-12-06T09:00:00Z

v1::StoredEvent sip_event(v1::EventKind kind) {
  v1::StoredEvent s;
  s.set_id(9);
  auto* e = s.mutable_event();
  e->set_agent_id("edge-1");
  e->set_seq(9);
  e->set_event_time_us(kT0);
  e->set_source(v1::SOURCE_SIP);
  e->set_kind(kind);
  e->set_origin("10.1.1.5");
  auto& p = *e->mutable_phone();
  p.set_device_name("SEP00562B4C3D2E");
  p.set_ip("10.20.0.17");
  p.set_protocol("SIP");
  p.set_transport("tcp");
  p.set_cm_node("10.1.1.5");
  return s;
}

TEST(SipEvents, TheNewKindAndSourceHaveTheirNames) {
  EXPECT_EQ(kind_name(v1::PHONE_FIRMWARE_CHANGED), "phone_firmware_changed");
  EXPECT_EQ(parse_kind("phone_firmware_changed"), v1::PHONE_FIRMWARE_CHANGED);
  EXPECT_EQ(source_name(v1::SOURCE_SIP), "sip");
  EXPECT_EQ(parse_source("sip"), v1::SOURCE_SIP);
  EXPECT_EQ(parse_source("SIP"), v1::SOURCE_SIP);
  EXPECT_EQ(parse_source("unspecified"), std::nullopt);
  EXPECT_EQ(parse_source("fax"), std::nullopt);
  EXPECT_EQ(all_source_names().back(), "sip");
}

TEST(SipEvents, ARegistrationShowsExpiresTheLossWordsAndTheLoad) {
  auto s = sip_event(v1::PHONE_REGISTERED);
  auto& p = *s.mutable_event()->mutable_phone();
  p.set_keepalive_interval_s(120);
  p.set_via_proxy("sbc-1");
  p.set_last_loss("cm-closed-tcp");
  p.set_last_loss_name("TCPucmClosedConnection");
  p.set_last_loss_class("network");
  p.set_cisco_alarm(14);
  p.set_load_name("sip88xx.14-2-1-0001-14");
  p.set_user_agent("Cisco-CP8845/14.2.1");
  p.set_line("sip:1001@10.1.1.5");
  // Cut at 80 characters: the phone's words come before the Expires and the load (in the JSON).
  EXPECT_EQ(event_detail(s.event()),
            "10.20.0.17 SIP/tcp on 10.1.1.5 via sbc-1, Last=cm-closed-tcp, Expires 120 s, ...");
  const auto j = event_object(s);
  EXPECT_EQ(j["source"], "sip");
  EXPECT_EQ(j["keepalive_interval_s"], 120);
  EXPECT_EQ(j["last_loss"], "cm-closed-tcp");
  EXPECT_EQ(j["last_loss_name"], "TCPucmClosedConnection");
  EXPECT_EQ(j["last_loss_class"], "network");
  EXPECT_EQ(j["cisco_alarm"], 14);
  EXPECT_EQ(j["load_name"], "sip88xx.14-2-1-0001-14");
  EXPECT_EQ(j["user_agent"], "Cisco-CP8845/14.2.1");
  EXPECT_EQ(j["transport"], "tcp");
  EXPECT_EQ(j["via_proxy"], "sbc-1");
  EXPECT_EQ(j["line"], "sip:1001@10.1.1.5");
  EXPECT_EQ(j["sip_status"], 0);
  EXPECT_EQ(j["previous_load_name"], "");
}

TEST(SipEvents, ARejectionsReasonIsItsStatus) {
  auto s = sip_event(v1::PHONE_REGISTRATION_FAILED);
  s.mutable_event()->mutable_phone()->set_sip_status(403);
  EXPECT_EQ(event_reason(s.event()), "SIP 403");
  s.mutable_event()->mutable_phone()->set_reason("403 Forbidden; 399 cucm \"Unknown device\"");
  EXPECT_EQ(event_reason(s.event()), "SIP 403 Forbidden; 399 cucm \"Unknown device\"");
  s.mutable_event()->mutable_phone()->set_reason("Unknown device");
  EXPECT_EQ(event_reason(s.event()), "SIP 403 Unknown device");
  EXPECT_EQ(event_object(s)["sip_status"], 403);
  // A CUCM code, when there is one, is the reason as for any phone.
  s.mutable_event()->mutable_phone()->set_reason_code(16);
  EXPECT_EQ(event_reason(s.event()).rfind("16", 0), 0u) << event_reason(s.event());
}

TEST(SipEvents, ALatencyWindowSaysWhatWasTimed) {
  v1::StoredEvent s = sip_event(v1::KEEPALIVE_LATENCY);
  s.mutable_event()->mutable_keepalive_latency()->set_p50_ms(12);
  EXPECT_EQ(event_detail(s.event()).rfind("REGISTER answer p50 12 ms", 0), 0u)
      << event_detail(s.event());
  s.mutable_event()->set_source(v1::SOURCE_SCCP);
  EXPECT_EQ(event_detail(s.event()).rfind("KeepAliveAck p50 12 ms", 0), 0u)
      << event_detail(s.event());
}

TEST(SipEvents, AFirmwareChangeSaysFromWhichLoadToWhich) {
  auto s = sip_event(v1::PHONE_FIRMWARE_CHANGED);
  auto& p = *s.mutable_event()->mutable_phone();
  p.set_previous_load_name("sip88xx.14-1-1-0001-10");
  p.set_load_name("sip88xx.14-2-1-0001-14");
  EXPECT_EQ(event_detail(s.event()), "firmware sip88xx.14-1-1-0001-10 -> sip88xx.14-2-1-0001-14");
  const auto j = event_object(s);
  EXPECT_EQ(j["kind"], "phone_firmware_changed");
  EXPECT_EQ(j["previous_load_name"], "sip88xx.14-1-1-0001-10");
}

}  // namespace
}  // namespace regwatch::reports
