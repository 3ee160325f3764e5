// How regwatch explain shows the collector's diagnosis (Query.Explain's reply): the state in
// capitals, the reason in words, the switch port, the incident with the other scopes that went
// down whole, a reason from the phone itself, and the same facts as JSON.
#include "cli/explain_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

namespace regwatch::cli {
namespace {

constexpr int64_t kT0 = 1'795'166'000'000'000;  // 2026-11-20T09:13:20Z

v1::ExplainReply unregistered() {
  v1::ExplainReply d;
  d.set_device("SEP001122334455");
  d.set_at_us(kT0 + 60'000'000);
  d.set_state(v1::PHONE_STATE_UNREGISTERED);
  d.set_since_us(kT0);
  d.set_last_drop_us(kT0);
  auto* r = d.mutable_reason();
  r->set_code(13);
  r->set_name("KeepAliveTimeout");
  r->set_reason_class("network");
  r->set_text("phone rst");
  d.add_reported_by("sccp connection_lost (ucm-sub1)");
  d.set_cm_node("ucm-sub1");
  auto* e = d.mutable_attachment()->mutable_event();
  e->set_kind(v1::TOPOLOGY);
  e->set_event_time_us(kT0 - 3'600'000'000);
  auto* t = e->mutable_topology();
  t->set_switch_name("sw-3f");
  t->set_port("GigabitEthernet2/0/17");
  t->set_module(2);
  t->set_protocol("cdp");
  auto* i = d.mutable_incident();
  i->set_id("module:sw-4f/3@1");
  i->set_incident_class("infrastructure");
  i->set_phone_count(26);
  i->mutable_scope()->set_type("module");
  i->mutable_scope()->set_name("sw-4f/3");
  auto* also = i->add_also_scopes();
  also->set_type("subnet");
  also->set_name("10.88.3.0/24");
  d.add_next_steps("work the incident");
  d.set_known(true);
  return d;
}

TEST(ExplainReport, TextNamesStateReasonPortAndIncident) {
  std::ostringstream text;
  write_diagnosis_text(text, unregistered());
  const std::string out = text.str();
  EXPECT_NE(out.find("UNREGISTERED since 2026-11-20T09:13:20.000Z"), std::string::npos) << out;
  EXPECT_NE(out.find("reason:     13 KeepAliveTimeout [network]"), std::string::npos) << out;
  EXPECT_NE(out.find("switch:     sw-3f port GigabitEthernet2/0/17 (module/stack member 2)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("incident:   module:sw-4f/3@1 (infrastructure, 26 phones, module "
                     "sw-4f/3; also all of subnet 10.88.3.0/24)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  1. work the incident"), std::string::npos) << out;
}

TEST(ExplainReport, AReasonFromThePhoneItselfSaysSo) {
  v1::ExplainReply d = unregistered();
  d.mutable_reason()->clear_code();
  d.mutable_reason()->set_name("FileAuthFail");
  d.mutable_reason()->set_reason_class("security");
  std::ostringstream text;
  write_diagnosis_text(text, d);
  EXPECT_NE(text.str().find("reason:     FileAuthFail (from the phone) [security]"),
            std::string::npos)
      << text.str();
}

TEST(ExplainReport, JsonHasTheSameFacts) {
  std::ostringstream out;
  write_diagnosis_json(out, unregistered());
  const auto j = nlohmann::ordered_json::parse(out.str());
  EXPECT_EQ(j["state"], "unregistered");
  EXPECT_EQ(j["since"], "2026-11-20T09:13:20.000Z");
  EXPECT_EQ(j["reason"]["code"], 13);
  EXPECT_EQ(j["attachment"]["switch"], "sw-3f");
  EXPECT_EQ(j["incident"]["scope"]["type"], "module");
  EXPECT_EQ(j["incident"]["also_scopes"][0]["name"], "10.88.3.0/24");
  EXPECT_EQ(j["incident"]["phone_count"], 26);
}

TEST(ExplainReport, NothingStoredSaysSo) {
  v1::ExplainReply d;
  d.set_device("SEP001122334455");
  d.set_at_us(kT0);
  std::ostringstream text;
  write_diagnosis_text(text, d);
  EXPECT_NE(text.str().find("no registration, drop or rejection stored"), std::string::npos);
  std::ostringstream json;
  write_diagnosis_json(json, d);
  const auto j = nlohmann::ordered_json::parse(json.str());
  EXPECT_EQ(j["state"], "unknown");
  EXPECT_TRUE(j["incident"].is_null());
}

TEST(ExplainReport, TextShowsTheBootChain) {
  v1::ExplainReply d = unregistered();
  auto& c = *d.mutable_boot_chain();
  c.set_stage("config");
  c.set_stage_since_us(kT0);
  c.set_summary("stuck at config download from 10.1.1.5 for 14 min: ...");
  c.set_leased_ip("10.88.3.17");
  c.set_dhcp_server("10.1.1.1");
  c.set_lease_us(kT0 - 60'000'000);
  c.add_tftp_servers("10.1.1.5");
  c.add_tftp_servers("10.1.1.6");
  auto& f = *c.add_files();
  f.set_file("SEP001122334455.cnf.xml.sgn");
  f.set_server("10.1.1.5");
  f.set_fetched(6);
  auto& ctl = *c.add_files();
  ctl.set_file("CTLSEP001122334455.tlv");
  ctl.set_server("10.1.1.5");
  ctl.set_failed(1);
  ctl.set_last_failure("not_found");
  c.add_problems("DHCP NAK of 10.9.9.9 from 10.1.1.1");
  c.set_rule("config_loop");
  d.mutable_reason()->Clear();
  d.mutable_reason()->set_name("config_loop");
  d.mutable_reason()->set_reason_class("security");
  c.set_remediation("erase the trust list");
  c.set_explanation("SEP001122334455.cnf.xml.sgn fetched 6 times");
  std::ostringstream text;
  write_diagnosis_text(text, d);
  const std::string out = text.str();
  EXPECT_NE(out.find("\nBoot chain: stuck at config download from 10.1.1.5 for 14 min: ...\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  stage:      config since 2026-11-20T09:13:20.000Z\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("  lease:      10.88.3.17 from 10.1.1.1 at 2026-11-20T09:12:20.000Z, TFTP "
                     "10.1.1.5, 10.1.1.6\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  file:       SEP001122334455.cnf.xml.sgn from 10.1.1.5: fetched 6 times\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  file:       CTLSEP001122334455.tlv from 10.1.1.5: fetched 0 times, failed "
                     "1 (not_found)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  reason:     config_loop (its boot chain) [security]\n"), std::string::npos)
      << out;
  EXPECT_NE(out.find("  trouble:    DHCP NAK of 10.9.9.9 from 10.1.1.1\n"), std::string::npos);
  EXPECT_NE(out.find("  rule:       config_loop: SEP001122334455.cnf.xml.sgn fetched 6 times\n"),
            std::string::npos);
  // Before the next steps, which a stalled phone's rule leads.
  EXPECT_LT(out.find("Boot chain:"), out.find("What to check next:"));
  std::ostringstream json;
  write_diagnosis_json(json, d);
  const auto j = nlohmann::json::parse(json.str());
  EXPECT_EQ(j["boot_chain"]["files"][1]["last_failure"], "not_found");
}

TEST(ExplainReport, NoBootChainNoSection) {
  std::ostringstream text;
  write_diagnosis_text(text, unregistered());
  EXPECT_EQ(text.str().find("Boot chain:"), std::string::npos);
}

}  // namespace
}  // namespace regwatch::cli

namespace regwatch::cli {
namespace {

// A SIP phone (issue 23): the protocol, the Expires granted, its firmware and its changes, and
// the phone's own account of its last loss beside CUCM's reason for the same drop.
TEST(ExplainReport, ShowsASipPhonesRegistrationAndItsOwnAccountOfItsLastLoss) {
  v1::ExplainReply d;
  d.set_device("SEP00562B4C3D2E");
  d.set_at_us(kT0 + 800'000'000);
  d.set_state(v1::PHONE_STATE_REGISTERED);
  d.set_since_us(kT0 + 700'000'000);
  d.set_protocol("SIP");
  auto& s = *d.mutable_sip();
  s.set_registered_us(kT0 + 700'000'000);
  s.set_expires_s(120);
  s.set_transport("tcp");
  s.set_line("sip:1001@10.1.1.5");
  s.set_via_proxy("sbc-1");
  s.set_user_agent("Cisco-CP8845/14.2.1");
  s.set_load_name("sip88xx.14-2-1-0001-14");
  auto& change = *s.add_firmware_history();
  change.set_from_load("sip88xx.14-1-1-0001-10");
  change.set_to_load("sip88xx.14-2-1-0001-14");
  change.set_at_us(kT0 + 700'000'000);
  s.set_last_loss("cm-closed-tcp");
  s.set_last_loss_name("TCPucmClosedConnection");
  s.set_last_loss_class("network");
  s.set_last_loss_meaning("the CM closed the TCP connection");
  s.set_last_loss_us(kT0 + 700'000'000);
  auto& cucm = *s.mutable_cucm_reason();
  cucm.set_code(13);
  cucm.set_name("KeepAliveTimeout");
  cucm.set_reason_class("network");
  std::ostringstream text;
  write_diagnosis_text(text, d);
  const std::string out = text.str();
  EXPECT_NE(out.find("  protocol:   SIP\n"), std::string::npos) << out;
  EXPECT_NE(out.find("SIP registration: registered 2026-11-20T09:25:00.000Z, Expires 120 s "
                     "granted"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  transport:  tcp, line sip:1001@10.1.1.5, through sbc-1\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  firmware:   sip88xx.14-2-1-0001-14\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  changed:    sip88xx.14-1-1-0001-10 -> sip88xx.14-2-1-0001-14 at "
                     "2026-11-20T09:25:00.000Z\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  last loss:  the phone says Last=cm-closed-tcp (TCPucmClosedConnection): "
                     "the CM closed the TCP connection [network]"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("  CUCM said:  13 KeepAliveTimeout [network] for the same drop\n"),
            std::string::npos)
      << out;
  // Without a SIP panel, none of it.
  d.clear_sip();
  std::ostringstream sccp;
  write_diagnosis_text(sccp, d);
  EXPECT_EQ(sccp.str().find("SIP registration"), std::string::npos);
}

}  // namespace
}  // namespace regwatch::cli
