#include "common/reports/explain_report.h"

#include <vector>

#include "common/reports/event_report.h"
#include "common/time_format.h"

namespace regwatch::reports {
namespace {

// An RFC 3339 time, or null for 0 (never).
nlohmann::ordered_json time_or_null(int64_t us) {
  return us ? nlohmann::ordered_json(format_rfc3339_ms(us)) : nlohmann::ordered_json(nullptr);
}

nlohmann::ordered_json reason_json(const v1::ExplainReason& r) {
  if (r.has_code()) {
    return {{"code", r.code()},
            {"name", r.name()},
            {"meaning", r.meaning()},
            {"class", r.reason_class()},
            {"text", r.text()}};
  }
  if (!r.name().empty()) {  // reported by the phone itself, without a CUCM code
    return {{"name", r.name()},
            {"meaning", r.meaning()},
            {"class", r.reason_class()},
            {"text", r.text()}};
  }
  return r.text().empty() ? nlohmann::ordered_json(nullptr)
                          : nlohmann::ordered_json{{"text", r.text()}};
}

nlohmann::ordered_json boot_chain_json(const v1::BootChain& c) {
  nlohmann::ordered_json j;
  j["stage"] = c.stage();
  j["stage_since"] = time_or_null(c.stage_since_us());
  j["registered"] = c.registered();
  j["registered_at"] = time_or_null(c.registered_us());
  j["summary"] = c.summary();
  j["rule"] = c.rule();
  j["explanation"] = c.explanation();
  j["remediation"] = c.remediation();
  j["tftp_server"] = c.tftp_server();
  j["lease"] = c.leased_ip().empty()
                   ? nlohmann::ordered_json(nullptr)
                   : nlohmann::ordered_json{
                         {"ip", c.leased_ip()},
                         {"server", c.dhcp_server()},
                         {"tftp_servers", std::vector<std::string>(c.tftp_servers().begin(),
                                                                   c.tftp_servers().end())},
                         {"at", format_rfc3339_ms(c.lease_us())}};
  j["files"] = nlohmann::ordered_json::array();
  for (const auto& f : c.files()) {
    j["files"].push_back({{"file", f.file()},
                          {"file_kind", f.file_kind()},
                          {"server", f.server()},
                          {"fetched", f.fetched()},
                          {"failed", f.failed()},
                          {"last_failure", f.last_failure()},
                          {"last", time_or_null(f.last_us())}});
  }
  j["problems"] = std::vector<std::string>(c.problems().begin(), c.problems().end());
  return j;
}

nlohmann::ordered_json sip_json(const v1::SipRegistration& s) {
  nlohmann::ordered_json j;
  j["registered_at"] = time_or_null(s.registered_us());
  j["expires_s"] = s.expires_s();
  j["transport"] = s.transport();
  j["user_agent"] = s.user_agent();
  j["via_proxy"] = s.via_proxy();
  j["line"] = s.line();
  j["load_name"] = s.load_name();
  if (s.last_loss().empty()) {
    j["last_loss"] = nullptr;
  } else {
    j["last_loss"] = {{"words", s.last_loss()},
                      {"name", s.last_loss_name()},
                      {"class", s.last_loss_class()},
                      {"meaning", s.last_loss_meaning()},
                      {"cisco_alarm", s.cisco_alarm()},
                      {"at", time_or_null(s.last_loss_us())},
                      {"cucm_reason", s.has_cucm_reason() ? reason_json(s.cucm_reason())
                                                          : nlohmann::ordered_json(nullptr)}};
  }
  j["firmware_history"] = nlohmann::ordered_json::array();
  for (const auto& change : s.firmware_history()) {
    j["firmware_history"].push_back({{"from", change.from_load()},
                                     {"to", change.to_load()},
                                     {"at", time_or_null(change.at_us())}});
  }
  return j;
}

}  // namespace

std::string phone_state_word(v1::PhoneState state) {
  switch (state) {
    case v1::PHONE_STATE_REGISTERED: return "registered";
    case v1::PHONE_STATE_UNREGISTERED: return "unregistered";
    case v1::PHONE_STATE_REJECTED: return "rejected";
    default: return "unknown";
  }
}

nlohmann::ordered_json scope_ref_json(const v1::ScopeRef& s) {
  return {{"type", s.type()}, {"name", s.name()}};
}

nlohmann::ordered_json also_scopes_json(const v1::ExplainIncident& i) {
  nlohmann::ordered_json also = nlohmann::ordered_json::array();
  for (const auto& s : i.also_scopes()) also.push_back(scope_ref_json(s));
  return also;
}

nlohmann::ordered_json diagnosis_json(const v1::ExplainReply& d) {
  nlohmann::ordered_json j;
  j["device"] = d.device();
  j["at"] = format_rfc3339_ms(d.at_us());
  j["state"] = phone_state_word(d.state());
  j["since"] = time_or_null(d.since_us());
  j["last_drop"] = time_or_null(d.last_drop_us());
  j["reason"] = reason_json(d.reason());
  j["reported_by"] = std::vector<std::string>(d.reported_by().begin(), d.reported_by().end());
  j["cm_node"] = d.cm_node();
  if (d.has_attachment()) {
    const auto& t = d.attachment().event().topology();
    j["attachment"] = {{"switch", t.switch_name()},
                       {"port", t.port()},
                       {"module", t.module()},
                       {"voice_vlan", t.voice_vlan()},
                       {"removed", t.removed()},
                       {"seen", format_rfc3339_ms(d.attachment().event().event_time_us())}};
  } else {
    j["attachment"] = nullptr;
  }
  if (d.has_incident()) {
    const auto& i = d.incident();
    j["incident"] = {{"id", i.id()},
                     {"class", i.incident_class()},
                     {"scope", scope_ref_json(i.scope())},
                     {"also_scopes", also_scopes_json(i)},
                     {"phone_count", i.phone_count()}};
  } else {
    j["incident"] = nullptr;
  }
  j["next_steps"] = std::vector<std::string>(d.next_steps().begin(), d.next_steps().end());
  j["boot_chain"] = d.has_boot_chain() ? boot_chain_json(d.boot_chain()) : nullptr;
  j["protocol"] = d.protocol();
  j["sip"] = d.has_sip() ? sip_json(d.sip()) : nullptr;
  j["timeline"] = events_json(d.timeline());
  return j;
}

}  // namespace regwatch::reports
