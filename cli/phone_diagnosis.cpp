#include "cli/phone_diagnosis.h"

#include <algorithm>
#include <cctype>

#include "cli/event_summary.h"
#include "cli/output_format.h"
#include "common/ascii_case.h"
#include "common/domain_tables.h"
#include "common/event_kind.h"
#include "common/provenance.h"
#include "common/reason_class.h"
#include "common/scope_words.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

using regwatch::v1::Event;

// Reports of one drop by several inputs arrive within this of each other.
constexpr int64_t kSameDropUs = 120'000'000;

// A phone that refuses its signed config (phone_auth_failed) cannot register either: the
// correlator counts it as a drop too.
bool is_drop(const Event& e) {
  return e.kind() == v1::PHONE_UNREGISTERED || e.kind() == v1::CONNECTION_LOST ||
         e.kind() == v1::KEEPALIVE_MISSED || e.kind() == v1::PHONE_AUTH_FAILED;
}

bool mentions_trust_failure(const std::string& text) {
  const std::string t = ascii_lower(text);
  for (const char* word : {"cnf.xml.sgn", "itl", "ctl", "auth", "certificate", "lsc"}) {
    if (t.find(word) != std::string::npos) return true;
  }
  return false;
}

// A drop or rejection report: the state it puts the phone in, and what it says.
void take_report(PhoneDiagnosis& d, const Event& e, const std::string& state) {
  const int64_t t = e.event_time_us();
  if (d.state != state || t - d.since_us > kSameDropUs) {
    d.state = state;
    d.since_us = t;
    d.reason_code.reset();
    d.reason_name.clear();
    d.reason_meaning.clear();
    d.reason_class.clear();
    d.reason_text.clear();
    d.reported_by.clear();
  }
  d.last_drop_us = d.since_us;
  std::string by = source_name(e.source()) + " " + kind_name(e.kind());
  if (!e.origin().empty()) by += " (" + e.origin() + ")";
  if (std::find(d.reported_by.begin(), d.reported_by.end(), by) == d.reported_by.end())
    d.reported_by.push_back(by);
  const auto& p = e.phone();
  if (p.has_reason_code() && !d.reason_code) {
    const int32_t code = p.reason_code();
    const bool rejected = state == "rejected";
    d.reason_code = code;
    d.reason_name = std::string(rejected ? domain::registration_failure_reason_name(code)
                                         : domain::unregistration_reason_name(code));
    d.reason_meaning = std::string(rejected ? domain::registration_failure_reason_meaning(code)
                                            : domain::unregistration_reason_meaning(code));
    d.reason_class = std::string(rejected ? domain::registration_failure_reason_class(code)
                                          : domain::unregistration_reason_class(code));
  } else if (e.kind() == v1::PHONE_AUTH_FAILED && !d.reason_code && d.reason_name.empty()) {
    // The phone's own words, not a CUCM code: its number ("Reason:14") stays in the text.
    d.reason_name = p.alarm();
    d.reason_meaning =
        "the phone could not authenticate its signed config or its trust list (ITL/CTL)";
    d.reason_class = "security";
  }
  // Not the description: that is the phone's label ("Desk 36"), not what happened.
  for (const std::string* text : {&p.reason(), &p.closed_by()}) {
    if (text->empty() || *text == d.reason_name) continue;
    if (d.reason_text.find(*text) == std::string::npos)
      d.reason_text += (d.reason_text.empty() ? "" : "; ") + *text;
  }
  if (!p.cm_node().empty() && d.cm_node.empty()) d.cm_node = p.cm_node();
}

void add_next_steps(PhoneDiagnosis& d) {
  auto& steps = d.next_steps;
  if (d.state == "unknown") {
    steps.push_back("nothing is stored about " + d.device +
                    ": check the name (SEP and 12 hex digits, as CUCM shows it) and that an agent "
                    "receives this cluster's syslog or polls its CCM-MIB (regwatch status)");
    return;
  }
  if (d.state == "registered") {
    if (d.last_drop_us) {
      steps.push_back(
          "registered again; if it keeps dropping, compare it with its neighbours: "
          "regwatch top --since 7d");
    } else {
      steps.push_back("registered, with no drop stored: nothing to do");
    }
  }
  if (d.incident) {
    const auto& i = *d.incident;
    const std::string id = i.value("id", "");
    std::string first = "it dropped in incident " + id + " with " +
                        std::to_string(i.value("phone_count", 0)) +
                        " phones in all: work the incident, not the phone";
    const auto causes = i.value("causes", nlohmann::ordered_json::array());
    if (!causes.empty()) {
      first += " (top cause " + causes[0].value("kind", "") + " on " +
               causes[0].value("subject", "") + ": " + causes[0].value("remediation", "") + ")";
    }
    steps.push_back(first);
    steps.push_back("regwatch incident '" + id + "' for its causes and evidence");
    // A victim of a network-class burst: its own port and cable are not the first suspects.
    if (d.state == "registered" || d.reason_class.empty() || d.reason_class == "network" ||
        d.reason_class == "other")
      return;
  }
  if (d.state == "registered") return;
  std::string port;
  if (d.attachment && !d.attachment->event().topology().removed()) {
    const auto& t = d.attachment->event().topology();
    port = t.switch_name() + " " + t.port();
  }
  const bool trust = mentions_trust_failure(d.reason_text);
  const std::string& c = d.reason_class;
  const int32_t code = d.reason_code.value_or(-1);
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
    return;
  }
  if (c == "planned") {
    steps.push_back(
        "a planned reset, restart or apply-config: it should register again within "
        "a few minutes; if not, check its screen and its TFTP download");
    return;
  }
  if (c == "config") {
    if (code == 2 || (d.state == "rejected" && code == 16)) {
      steps.push_back(
          "add the device in CUCM (Device > Phone) with this MAC, or enable "
          "auto-registration for its model");
    } else if (d.state == "rejected" && code == 13) {
      steps.push_back(
          "the phone registers with a directory number that differs from its "
          "configured line: fix the line or the phone's config");
    } else if (code == 32 || (d.state == "rejected" && code == 15)) {
      steps.push_back(
          "the phone's model or protocol (SCCP/SIP) differs from its CUCM record: fix "
          "the record or load the right firmware");
    } else {
      steps.push_back("check the device's record in CUCM (DN, device pool, type)");
    }
    steps.push_back(
        "check that DHCP option 150 points at a TFTP server in the device pool's CM "
        "group, and that the phone downloaded " +
        d.device + ".cnf.xml(.sgn)");
    return;
  }
  if (c == "storm") {
    if (code == 12 || (d.state == "rejected" && code == 5)) {
      steps.push_back(
          "CUCM throttled registrations after a burst: the phone retries; find the "
          "burst with regwatch incidents");
    } else {
      steps.push_back(
          "another device registered with the same name: look for a cloned MAC or a "
          "second device configured with it");
    }
    return;
  }
  // Network class, or a drop seen only on the wire (no reason code).
  if (d.reason_text.find("cm ") != std::string::npos) {
    steps.push_back("the CM closed the connection (" + d.reason_text +
                    "): check the CallManager service on " +
                    (d.cm_node.empty() ? std::string("its CM node") : d.cm_node));
  }
  steps.push_back("check the phone's switch port" + (port.empty() ? "" : " (" + port + ")") +
                  " for errors, flaps and PoE (show interface, show power inline, show logging)");
  steps.push_back(
      "check the cable and the phone's power; it should register again within 5 "
      "minutes once the path is back");
  if (!d.cm_node.empty())
    steps.push_back("if other phones on " + d.cm_node +
                    " dropped too: check the node's CPU and NIC (RTMT, regwatch events --origin " +
                    d.cm_node + ")");
}

std::string when(int64_t us) {
  return us ? format_rfc3339_ms(us) : std::string("-");
}

}  // namespace

PhoneDiagnosis diagnose(const std::string& device, int64_t at_us,
                        const regwatch::v1::EventList& timeline,
                        const regwatch::v1::EventList& topology,
                        const std::vector<nlohmann::ordered_json>& incidents) {
  PhoneDiagnosis d;
  d.device = device;
  d.at_us = at_us;
  for (const auto& stored : timeline.events()) {
    const Event& e = stored.event();
    if (!may_drive_diagnosis(e)) continue;  // forged: shown in the timeline, not believed
    if (e.kind() == v1::PHONE_REGISTERED) {
      if (d.state != "registered") {
        d.state = "registered";
        d.since_us = e.event_time_us();
        d.registered_since_us = e.event_time_us();
        d.cm_node.clear();
      }
      const std::string cm = e.phone().cm_node().empty() ? e.origin() : e.phone().cm_node();
      if (d.cm_node.empty()) d.cm_node = cm;
    } else if (is_drop(e)) {
      take_report(d, e, "unregistered");
    } else if (e.kind() == v1::PHONE_REGISTRATION_FAILED) {
      take_report(d, e, "rejected");
    }
  }
  if (!topology.events().empty()) d.attachment = topology.events(0);
  if (d.last_drop_us) {
    const int64_t margin = kSameDropUs;
    const nlohmann::ordered_json* best = nullptr;
    for (const auto& i : incidents) {
      const auto phones = i.value("phones", nlohmann::ordered_json::array());
      if (std::find(phones.begin(), phones.end(), device) == phones.end()) continue;
      auto start = parse_time_arg(i.value("start_time", ""), at_us);
      auto end = parse_time_arg(i.value("end_time", ""), at_us);
      if (!start.ok() || !end.ok()) continue;
      if (d.last_drop_us + margin < *start || d.last_drop_us - margin > *end) continue;
      if (!best || i.value("start_time", "") > best->value("start_time", "")) best = &i;
    }
    if (best) d.incident = *best;
  }
  add_next_steps(d);
  return d;
}

void write_diagnosis_text(std::ostream& out, const PhoneDiagnosis& d,
                          const regwatch::v1::EventList& timeline) {
  out << d.device << " at " << format_rfc3339_ms(d.at_us) << ": ";
  if (d.state == "unknown") {
    out << "no registration, drop or rejection stored\n";
  } else {
    std::string upper = d.state;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    out << upper << " since " << when(d.since_us) << "\n";
  }
  if (d.state == "registered" && d.last_drop_us)
    out << "  last drop:  " << when(d.last_drop_us) << "\n";
  if (d.reason_code) {
    out << "  reason:     " << *d.reason_code << " " << d.reason_name;
    if (!d.reason_meaning.empty()) out << ": " << d.reason_meaning;
    out << " [" << d.reason_class << "]\n";
  } else if (!d.reason_name.empty()) {  // reported by the phone itself, without a CUCM code
    out << "  reason:     " << d.reason_name << " (from the phone)";
    if (!d.reason_meaning.empty()) out << ": " << d.reason_meaning;
    out << " [" << d.reason_class << "]\n";
  }
  if (!d.reason_text.empty()) out << "  said:       " << d.reason_text << "\n";
  if (!d.reported_by.empty()) {
    out << "  seen by:    ";
    for (size_t i = 0; i < d.reported_by.size(); ++i) out << (i ? ", " : "") << d.reported_by[i];
    out << "\n";
  }
  if (!d.cm_node.empty()) {
    out << "  CM node:    " << d.cm_node;
    if (d.registered_since_us) out << " (registered there " << when(d.registered_since_us) << ")";
    out << "\n";
  }
  if (d.attachment) {
    const auto& t = d.attachment->event().topology();
    out << "  switch:     " << t.switch_name() << " port " << t.port();
    if (t.module() > 0) out << " (module/stack member " << t.module() << ")";
    if (t.voice_vlan() > 0) out << ", voice VLAN " << t.voice_vlan();
    out << (t.removed() ? ", gone from its neighbour table" : "") << " (" << t.protocol() << ", "
        << when(d.attachment->event().event_time_us()) << ")\n";
  } else {
    out << "  switch:     unknown (no CDP/LLDP sighting stored; is its access switch polled?)\n";
  }
  if (d.incident) {
    const auto& i = *d.incident;
    const auto scope = i.value("scope", nlohmann::ordered_json::object());
    out << "  incident:   " << i.value("id", "") << " (" << i.value("class", "") << ", "
        << i.value("phone_count", 0) << " phones, " << scope.value("type", "") << " "
        << scope.value("name", "");
    if (const std::string also = also_scopes_words(i); !also.empty()) out << "; " << also;
    out << ")\n";
  }
  out << "\nWhat to check next:\n";
  for (size_t i = 0; i < d.next_steps.size(); ++i)
    out << "  " << i + 1 << ". " << d.next_steps[i] << "\n";
  if (!timeline.events().empty()) {
    out << "\nTimeline (oldest first, last " << timeline.events_size() << " events):\n";
    write_events(out, timeline, Format::kTable);
  }
}

void write_diagnosis_json(std::ostream& out, const PhoneDiagnosis& d,
                          const regwatch::v1::EventList& timeline) {
  nlohmann::ordered_json j;
  j["device"] = d.device;
  j["at"] = format_rfc3339_ms(d.at_us);
  j["state"] = d.state;
  j["since"] = d.since_us ? nlohmann::ordered_json(format_rfc3339_ms(d.since_us)) : nullptr;
  j["last_drop"] =
      d.last_drop_us ? nlohmann::ordered_json(format_rfc3339_ms(d.last_drop_us)) : nullptr;
  if (d.reason_code) {
    j["reason"] = {{"code", *d.reason_code},
                   {"name", d.reason_name},
                   {"meaning", d.reason_meaning},
                   {"class", d.reason_class},
                   {"text", d.reason_text}};
  } else if (!d.reason_name.empty()) {
    j["reason"] = {{"name", d.reason_name},
                   {"meaning", d.reason_meaning},
                   {"class", d.reason_class},
                   {"text", d.reason_text}};
  } else {
    j["reason"] = d.reason_text.empty() ? nlohmann::ordered_json(nullptr)
                                        : nlohmann::ordered_json{{"text", d.reason_text}};
  }
  j["reported_by"] = d.reported_by;
  j["cm_node"] = d.cm_node;
  if (d.attachment) {
    const auto& t = d.attachment->event().topology();
    j["attachment"] = {{"switch", t.switch_name()},
                       {"port", t.port()},
                       {"module", t.module()},
                       {"voice_vlan", t.voice_vlan()},
                       {"removed", t.removed()},
                       {"seen", format_rfc3339_ms(d.attachment->event().event_time_us())}};
  } else {
    j["attachment"] = nullptr;
  }
  j["incident"] =
      d.incident ? nlohmann::ordered_json{{"id", d.incident->value("id", "")},
                                          {"class", d.incident->value("class", "")},
                                          {"scope", d.incident->value(
                                                        "scope", nlohmann::ordered_json::object())},
                                          {"also_scopes",
                                           d.incident->value("also_scopes",
                                                             nlohmann::ordered_json::array())},
                                          {"phone_count", d.incident->value("phone_count", 0)}}
                 : nlohmann::ordered_json(nullptr);
  j["next_steps"] = d.next_steps;
  j["timeline"] = nlohmann::ordered_json::array();
  for (const auto& stored : timeline.events()) j["timeline"].push_back(flatten_event(stored));
  out << j.dump(2) << "\n";
}

}  // namespace regwatch::cli
