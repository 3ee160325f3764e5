// The boot chain's events (issue 22) as `regwatch events` shows them: the table's device, reason
// and detail columns (event_summary.h) and the flat JSON object (event_report.h) with the
// lists (tftp_servers, cm_group) and a stall's boot_* fields.
#include <gtest/gtest.h>

#include <string>

#include "common/event_kind.h"
#include "common/reports/event_report.h"
#include "common/reports/event_summary.h"

namespace regwatch::reports {
namespace {

constexpr int64_t kT0 = 1'796'547'600'000'000;  // 2026-12-06T09:00:00Z

v1::StoredEvent stored(v1::EventKind kind) {
  v1::StoredEvent s;
  s.set_id(7);
  auto* e = s.mutable_event();
  e->set_agent_id("a1");
  e->set_seq(7);
  e->set_event_time_us(kT0);
  e->set_source(v1::SOURCE_BOOT);
  e->set_kind(kind);
  e->set_origin("agent-1");
  return s;
}

TEST(BootEvents, EveryNewKindHasItsName) {
  EXPECT_EQ(kind_name(v1::DHCP_LEASE), "dhcp_lease");
  EXPECT_EQ(kind_name(v1::TFTP_SERVER_UNANSWERED), "tftp_server_unanswered");
  EXPECT_EQ(parse_kind("boot_stalled"), v1::BOOT_STALLED);
  EXPECT_EQ(source_name(v1::SOURCE_BOOT), "boot");
}

TEST(BootEvents, ALeaseShowsItsAddressAndTftpServers) {
  auto s = stored(v1::DHCP_LEASE);
  auto& d = *s.mutable_event()->mutable_dhcp();
  d.set_device_name("SEP0017943A98BA");
  d.set_client_mac("00:17:94:3a:98:ba");
  d.set_leased_ip("10.88.3.17");
  d.set_server("10.1.1.1");
  d.add_tftp_servers("10.1.1.5");
  d.add_tftp_servers("10.1.1.6");
  d.set_vlan(110);
  EXPECT_EQ(event_device(s.event()), "SEP0017943A98BA");
  EXPECT_EQ(event_detail(s.event()), "10.88.3.17 from 10.1.1.1, TFTP 10.1.1.5,10.1.1.6, vlan 110");
  const auto j = event_object(s);
  EXPECT_EQ(j["kind"], "dhcp_lease");
  EXPECT_EQ(j["source"], "boot");
  EXPECT_EQ(j["device"], "SEP0017943A98BA");
  EXPECT_EQ(j["leased_ip"], "10.88.3.17");
  ASSERT_TRUE(j["tftp_servers"].is_array());
  EXPECT_EQ(j["tftp_servers"].size(), 2u);
  EXPECT_EQ(j["tftp_servers"][1], "10.1.1.6");
}

TEST(BootEvents, ALeaseWithoutOption150SaysSo) {
  auto s = stored(v1::DHCP_NO_TFTP_OPTION);
  auto& d = *s.mutable_event()->mutable_dhcp();
  d.set_client_mac("00:17:94:3a:98:ba");  // no name known: the MAC
  d.set_leased_ip("10.88.3.17");
  d.set_server("10.1.1.1");
  EXPECT_EQ(event_device(s.event()), "00:17:94:3a:98:ba");
  EXPECT_EQ(event_detail(s.event()), "10.88.3.17 from 10.1.1.1, TFTP none (no option 150/66)");
}

TEST(BootEvents, FilesFetchedAndFailed) {
  auto ok = stored(v1::BOOT_FILE_FETCHED);
  auto& f = *ok.mutable_event()->mutable_boot_file();
  f.set_file("SEP0017943A98BA.cnf.xml");
  f.set_device_name("SEP0017943A98BA");
  f.set_server("10.1.1.5");
  f.set_protocol("tftp");
  f.set_bytes(4211);
  f.set_duration_ms(38);
  f.set_attempt(3);
  f.add_cm_group("ucm-sub1");
  f.add_cm_group("ucm-sub2");
  EXPECT_EQ(event_detail(ok.event()),
            "SEP0017943A98BA.cnf.xml from 10.1.1.5 (tftp, 4211 bytes, 38 ms), attempt 3");
  const auto j = event_object(ok);
  ASSERT_TRUE(j["cm_group"].is_array());
  EXPECT_EQ(j["cm_group"][0], "ucm-sub1");
  EXPECT_EQ(j["bytes"], 4211);

  auto failed = stored(v1::BOOT_FILE_FAILED);
  auto& g = *failed.mutable_event()->mutable_boot_file();
  g.set_file("CTLSEP0017943A98BA.tlv");
  g.set_server("10.1.1.5");
  g.set_protocol("tftp");
  g.set_failure("not_found");
  g.set_error_code(1);
  g.set_error_text("File not found");
  EXPECT_EQ(event_reason(failed.event()), "not_found");
  EXPECT_EQ(event_detail(failed.event()),
            "CTLSEP0017943A98BA.tlv from 10.1.1.5 (tftp): not_found \"File not found\"");
}

TEST(BootEvents, AStallShowsItsStageRuleAndBootFields) {
  auto s = stored(v1::BOOT_STALLED);
  auto& p = *s.mutable_event()->mutable_phone();
  p.set_device_name("SEP0017943A98BA");
  auto& b = *p.mutable_boot();
  b.set_stage("config");
  b.set_rule("config_loop");
  b.set_tftp_server("10.1.1.5");
  b.set_fetches(6);
  b.set_explanation("fetched SEP0017943A98BA.cnf.xml.sgn 6 times");
  b.add_cm_group("ucm-sub1");
  EXPECT_EQ(event_reason(s.event()), "config_loop");
  b.set_file("SEP0017943A98BA.cnf.xml.sgn");
  EXPECT_EQ(event_detail(s.event()),
            "stuck at config from 10.1.1.5: SEP0017943A98BA.cnf.xml.sgn fetched 6x");
  b.clear_file();  // no file (DHCP unanswered): the agent's words
  EXPECT_EQ(event_detail(s.event()),
            "stuck at config from 10.1.1.5: fetched SEP0017943A98BA.cnf.xml.sgn 6 times");
  const auto j = event_object(s);
  EXPECT_EQ(j["device"], "SEP0017943A98BA");
  EXPECT_EQ(j["boot_stage"], "config");
  EXPECT_EQ(j["boot_rule"], "config_loop");
  EXPECT_EQ(j["boot_fetches"], 6);
  EXPECT_EQ(j["boot_tftp_server"], "10.1.1.5");
  ASSERT_TRUE(j["boot_cm_group"].is_array());
  EXPECT_EQ(j["boot_cm_group"][0], "ucm-sub1");
}

TEST(BootEvents, AnUnansweringTftpServerAndItsReturn) {
  auto s = stored(v1::TFTP_SERVER_UNANSWERED);
  auto& t = *s.mutable_event()->mutable_tftp_server();
  t.set_server("10.1.1.5");
  t.set_unanswered_requests(240);
  t.set_phones(120);
  EXPECT_EQ(event_device(s.event()), "10.1.1.5");
  EXPECT_EQ(event_detail(s.event()),
            "TFTP server 10.1.1.5 not answering: 240 requests from 120 phones");
  t.set_resolved(true);
  EXPECT_EQ(event_detail(s.event()), "TFTP server 10.1.1.5 answers again");
  EXPECT_EQ(event_object(s)["resolved"], true);
}

}  // namespace
}  // namespace regwatch::reports
