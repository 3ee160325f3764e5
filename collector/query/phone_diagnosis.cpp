#include "collector/query/phone_diagnosis.h"

#include <algorithm>

#include "collector/correlate/boot_stage_words.h"
#include "collector/query/boot_chain.h"
#include "collector/query/cucm_reason.h"
#include "collector/query/sip_registration.h"
#include "common/ascii_case.h"
#include "common/boot_rules.h"
#include "common/event_kind.h"
#include "common/provenance.h"
#include "common/time_format.h"

namespace regwatch::collector::query {
namespace {

using regwatch::v1::Event;
using regwatch::v1::ExplainReply;
using regwatch::v1::PhoneState;

bool mentions_trust_failure(const std::string& text) {
  const std::string t = ascii_lower(text);
  for (const char* word : {"cnf.xml.sgn", "itl", "ctl", "auth", "certificate", "lsc"}) {
    if (t.find(word) != std::string::npos) return true;
  }
  return false;
}

// A drop or rejection report: the state it puts the phone in, and what it says. new_drop: the
// drop rule says it begins a drop of its own (not one more report of the current one).
void take_report(ExplainReply& d, const Event& e, PhoneState state, bool new_drop,
                 int64_t drop_start_us) {
  const int64_t t = e.event_time_us();
  if (d.state() != state || new_drop) {
    d.set_state(state);
    d.set_since_us(t);
    d.clear_reason();
    d.clear_reported_by();
  }
  d.set_last_drop_us(drop_start_us);
  std::string by = source_name(e.source()) + " " + kind_name(e.kind());
  if (!e.origin().empty()) by += " (" + e.origin() + ")";
  if (std::find(d.reported_by().begin(), d.reported_by().end(), by) == d.reported_by().end())
    d.add_reported_by(by);
  const auto& p = e.phone();
  auto& reason = *d.mutable_reason();
  if (p.has_reason_code() && !reason.has_code()) {
    set_cucm_reason(reason, p.reason_code(), state == regwatch::v1::PHONE_STATE_REJECTED);
  } else if (e.kind() == regwatch::v1::BOOT_STALLED && !reason.has_code()) {
    // Stuck in its boot chain: the rule says why (common/boot_rules.h), the latest stall wins.
    const domain::BootRule* rule = domain::find_boot_rule(p.boot().rule());
    reason.set_name(p.boot().rule());
    reason.set_meaning(rule ? std::string(rule->summary) : p.boot().explanation());
    reason.set_reason_class(!rule ? "other"
                            : rule->incident_class == "infrastructure"
                                ? "network"
                                : std::string(rule->incident_class));
  } else if (e.kind() == regwatch::v1::PHONE_AUTH_FAILED && !reason.has_code() &&
             reason.name().empty()) {
    // The phone's own words, not a CUCM code: its number ("Reason:14") stays in the text.
    reason.set_name(p.alarm());
    reason.set_meaning(
        "the phone could not authenticate its signed config or its trust list (ITL/CTL)");
    reason.set_reason_class("security");
  }
  // Not the description: that is the phone's label ("Desk 36"), not what happened.
  for (const std::string* text : {&p.reason(), &p.closed_by()}) {
    if (text->empty() || *text == reason.name()) continue;
    if (reason.text().find(*text) == std::string::npos)
      reason.set_text(reason.text() + (reason.text().empty() ? "" : "; ") + *text);
  }
  if (!p.cm_node().empty() && d.cm_node().empty()) d.set_cm_node(p.cm_node());
}

std::vector<std::string> next_steps(const ExplainReply& d) {
  std::vector<std::string> steps;
  const PhoneState state = d.state();
  if (state == regwatch::v1::PHONE_STATE_UNKNOWN) {
    steps.push_back("nothing is stored about " + d.device() +
                    ": check the name (SEP and 12 hex digits, as CUCM shows it) and that an agent "
                    "receives this cluster's syslog or polls its CCM-MIB (regwatch status)");
    return steps;
  }
  const bool registered = state == regwatch::v1::PHONE_STATE_REGISTERED;
  const bool rejected = state == regwatch::v1::PHONE_STATE_REJECTED;
  const std::string& c = d.reason().reason_class();
  if (!registered && d.has_boot_chain() && !d.boot_chain().rule().empty()) {
    // Stuck in its boot chain: the rule's remediation first (common/boot_rules.h), then its
    // incident when many phones are stuck with it.
    const auto& chain = d.boot_chain();
    steps.push_back("stuck at " + std::string(correlate::boot_stage_words(chain.stage())) + " (" +
                    chain.rule() + "): " + chain.remediation());
    if (d.has_incident()) {
      steps.push_back("it is one of " + std::to_string(d.incident().phone_count()) +
                      " phones of incident " + d.incident().id() + ": regwatch incident '" +
                      d.incident().id() + "'");
    }
    steps.push_back("see what the phone asked for and got: regwatch events --device " + d.device() +
                    " --kind boot_file_fetched --kind boot_file_failed --kind dhcp_lease");
    return steps;
  }
  if (registered) {
    if (d.last_drop_us()) {
      steps.push_back(
          "registered again; if it keeps dropping, compare it with its neighbours: "
          "regwatch top --since 7d");
    } else {
      steps.push_back("registered, with no drop stored: nothing to do");
    }
  }
  if (d.has_incident()) {
    const auto& i = d.incident();
    std::string first = "it dropped in incident " + i.id() + " with " +
                        std::to_string(i.phone_count()) +
                        " phones in all: work the incident, not the phone";
    if (!i.top_cause_kind().empty()) {
      first += " (top cause " + i.top_cause_kind() + " on " + i.top_cause_subject() + ": " +
               i.top_cause_remediation() + ")";
    }
    steps.push_back(first);
    steps.push_back("regwatch incident '" + i.id() + "' for its causes and evidence");
    // A victim of a network-class burst: its own port and cable are not the first suspects.
    if (registered || c.empty() || c == "network" || c == "other") return steps;
  }
  if (registered) return steps;
  std::string port;
  if (d.has_attachment() && !d.attachment().event().topology().removed()) {
    const auto& t = d.attachment().event().topology();
    port = t.switch_name() + " " + t.port();
  }
  const bool trust = mentions_trust_failure(d.reason().text());
  const int32_t code = d.reason().has_code() ? d.reason().code() : -1;
  if (c == "security" || trust) {
    steps.push_back(
        "erase the phone's trust list (ITL/CTL: Settings > Security > Trust List, or "
        "**# and erase on 7900s; on models without Erase, such as the 8941/8945, reset the "
        "security settings): a trust list from another cluster makes the phone "
        "reject its signed config (cnf.xml.sgn authenticated fail)");
    steps.push_back(
        "check the TFTP server the phone gets (DHCP option 150) and whether it was moved from "
        "another cluster: its old ITL does not trust this cluster's TFTP signer");
    steps.push_back(
        "if it registers securely: check its LSC has not expired (CAPF) and the "
        "cluster's security mode; check the phone's date and time");
    return steps;
  }
  if (c == "planned") {
    steps.push_back(
        "a planned reset, restart or apply-config: it should register again within "
        "a few minutes; if not, check its screen and its TFTP download");
    return steps;
  }
  if (c == "config") {
    if (code == 2 || (rejected && code == 16)) {
      steps.push_back(
          "add the device in CUCM (Device > Phone) with this MAC, or enable "
          "auto-registration for its model");
    } else if (rejected && code == 13) {
      steps.push_back(
          "the phone registers with a directory number that differs from its "
          "configured line: fix the line or the phone's config");
    } else if (code == 32 || (rejected && code == 15)) {
      steps.push_back(
          "the phone's model or protocol (SCCP/SIP) differs from its CUCM record: fix "
          "the record or load the right firmware");
    } else {
      steps.push_back("check the device's record in CUCM (DN, device pool, type)");
    }
    steps.push_back(
        "check that DHCP option 150 points at a TFTP server in the device pool's CM "
        "group, and that the phone downloaded " +
        d.device() + ".cnf.xml(.sgn)");
    return steps;
  }
  if (c == "storm") {
    if (code == 12 || (rejected && code == 5)) {
      steps.push_back(
          "CUCM throttled registrations after a burst: the phone retries; find the "
          "burst with regwatch incidents");
    } else {
      steps.push_back(
          "another device registered with the same name: look for a cloned MAC or a "
          "second device configured with it");
    }
    return steps;
  }
  // Network class, or a drop seen only on the wire (no reason code).
  const std::string& text = d.reason().text();
  if (text.find("cm ") != std::string::npos) {
    steps.push_back("the CM closed the connection (" + text +
                    "): check the CallManager service on " +
                    (d.cm_node().empty() ? std::string("its CM node") : d.cm_node()));
  }
  steps.push_back("check the phone's switch port" + (port.empty() ? "" : " (" + port + ")") +
                  " for errors, flaps and PoE (show interface, show power inline, show logging)");
  steps.push_back(
      "check the cable and the phone's power; it should register again within 5 "
      "minutes once the path is back");
  if (!d.cm_node().empty())
    steps.push_back("if other phones on " + d.cm_node() +
                    " dropped too: check the node's CPU and NIC (RTMT, regwatch events --origin " +
                    d.cm_node() + ")");
  return steps;
}

}  // namespace

IncidentCandidate incident_candidate(const regwatch::v1::Incident& incident) {
  IncidentCandidate c;
  c.start_us = incident.start_us();
  c.end_us = incident.end_us();
  c.phones.assign(incident.phones().begin(), incident.phones().end());
  auto& s = c.summary;
  s.set_id(incident.id());
  s.set_incident_class(incident.incident_class());
  s.mutable_scope()->set_type(incident.scope().type());
  s.mutable_scope()->set_name(incident.scope().name());
  for (const auto& also : incident.also_scopes()) {
    auto* a = s.add_also_scopes();
    a->set_type(also.type());
    a->set_name(also.name());
  }
  s.set_phone_count(static_cast<uint32_t>(incident.phones_size()));
  if (!incident.causes().empty()) {
    const auto& top = incident.causes(0);
    s.set_top_cause_kind(top.kind());
    s.set_top_cause_subject(top.subject());
    s.set_top_cause_remediation(top.remediation());
  }
  return c;
}

ExplainReply diagnose(const std::string& device, int64_t at_us,
                      const regwatch::v1::EventList& timeline,
                      const regwatch::v1::EventList& topology,
                      const std::vector<IncidentCandidate>& incidents,
                      const correlate::DropRule& rule) {
  ExplainReply d;
  d.set_device(device);
  d.set_at_us(at_us);
  correlate::PhoneDrops drops(rule);
  for (const auto& stored : timeline.events()) {
    const Event& e = stored.event();
    if (!may_drive_diagnosis(e)) continue;  // forged: shown in the timeline, not believed
    if (e.kind() == regwatch::v1::PHONE_REGISTERED) {
      drops.registered(e.event_time_us());
      if (d.state() != regwatch::v1::PHONE_STATE_REGISTERED) {
        d.set_state(regwatch::v1::PHONE_STATE_REGISTERED);
        d.set_since_us(e.event_time_us());
        d.set_registered_since_us(e.event_time_us());
        d.clear_cm_node();
      }
      const std::string& cm = e.phone().cm_node().empty() ? e.origin() : e.phone().cm_node();
      if (d.cm_node().empty()) d.set_cm_node(cm);
    } else if (correlate::DropRule::is_drop(e)) {
      const bool new_drop = drops.report(e.event_time_us(), e.kind());
      take_report(d, e,
                  e.kind() == regwatch::v1::PHONE_REGISTRATION_FAILED
                      ? regwatch::v1::PHONE_STATE_REJECTED
                      : regwatch::v1::PHONE_STATE_UNREGISTERED,
                  new_drop, drops.drop_start_us());
    }
  }
  if (!topology.events().empty()) *d.mutable_attachment() = topology.events(0);
  if (auto chain = boot_chain_of(timeline, at_us)) *d.mutable_boot_chain() = std::move(*chain);
  d.set_protocol(protocol_of(timeline));
  if (auto sip = sip_registration_of(timeline, rule)) *d.mutable_sip() = std::move(*sip);
  if (d.last_drop_us()) {
    // Its incident holds its last drop, give or take the time reports of one drop take.
    const int64_t margin = rule.merge_us();
    const IncidentCandidate* best = nullptr;
    for (const auto& i : incidents) {
      if (std::find(i.phones.begin(), i.phones.end(), device) == i.phones.end()) continue;
      if (d.last_drop_us() + margin < i.start_us || d.last_drop_us() - margin > i.end_us) continue;
      if (!best || i.start_us > best->start_us) best = &i;
    }
    if (best) *d.mutable_incident() = best->summary;
  }
  for (auto& step : next_steps(d)) d.add_next_steps(std::move(step));
  *d.mutable_timeline() = timeline;
  d.set_known(!timeline.events().empty() || !topology.events().empty());
  return d;
}

}  // namespace regwatch::collector::query
