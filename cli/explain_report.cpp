#include "cli/explain_report.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "cli/event_summary.h"
#include "cli/output_format.h"
#include "common/scope_words.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

std::string when(int64_t us) {
  return us ? format_rfc3339_ms(us) : std::string("-");
}

// The state as the report words it: "registered", "unregistered", "rejected", "unknown".
std::string state_word(regwatch::v1::PhoneState state) {
  switch (state) {
    case regwatch::v1::PHONE_STATE_REGISTERED: return "registered";
    case regwatch::v1::PHONE_STATE_UNREGISTERED: return "unregistered";
    case regwatch::v1::PHONE_STATE_REJECTED: return "rejected";
    default: return "unknown";
  }
}

nlohmann::ordered_json scope_json(const regwatch::v1::ScopeRef& s) {
  return {{"type", s.type()}, {"name", s.name()}};
}

nlohmann::ordered_json also_scopes_json(const regwatch::v1::ExplainIncident& i) {
  nlohmann::ordered_json also = nlohmann::ordered_json::array();
  for (const auto& s : i.also_scopes()) also.push_back(scope_json(s));
  return also;
}

}  // namespace

void write_diagnosis_text(std::ostream& out, const regwatch::v1::ExplainReply& d) {
  const bool unknown = d.state() == regwatch::v1::PHONE_STATE_UNKNOWN;
  out << d.device() << " at " << format_rfc3339_ms(d.at_us()) << ": ";
  if (unknown) {
    out << "no registration, drop or rejection stored\n";
  } else {
    std::string upper = state_word(d.state());
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    out << upper << " since " << when(d.since_us()) << "\n";
  }
  if (d.state() == regwatch::v1::PHONE_STATE_REGISTERED && d.last_drop_us())
    out << "  last drop:  " << when(d.last_drop_us()) << "\n";
  const auto& r = d.reason();
  if (r.has_code()) {
    out << "  reason:     " << r.code() << " " << r.name();
    if (!r.meaning().empty()) out << ": " << r.meaning();
    out << " [" << r.reason_class() << "]\n";
  } else if (!r.name().empty()) {  // reported by the phone itself, without a CUCM code
    out << "  reason:     " << r.name() << " (from the phone)";
    if (!r.meaning().empty()) out << ": " << r.meaning();
    out << " [" << r.reason_class() << "]\n";
  }
  if (!r.text().empty()) out << "  said:       " << r.text() << "\n";
  if (!d.reported_by().empty()) {
    out << "  seen by:    ";
    for (int i = 0; i < d.reported_by_size(); ++i) out << (i ? ", " : "") << d.reported_by(i);
    out << "\n";
  }
  if (!d.cm_node().empty()) {
    out << "  CM node:    " << d.cm_node();
    if (d.registered_since_us())
      out << " (registered there " << when(d.registered_since_us()) << ")";
    out << "\n";
  }
  if (d.has_attachment()) {
    const auto& t = d.attachment().event().topology();
    out << "  switch:     " << t.switch_name() << " port " << t.port();
    if (t.module() > 0) out << " (module/stack member " << t.module() << ")";
    if (t.voice_vlan() > 0) out << ", voice VLAN " << t.voice_vlan();
    out << (t.removed() ? ", gone from its neighbour table" : "") << " (" << t.protocol() << ", "
        << when(d.attachment().event().event_time_us()) << ")\n";
  } else {
    out << "  switch:     unknown (no CDP/LLDP sighting stored; is its access switch polled?)\n";
  }
  if (d.has_incident()) {
    const auto& i = d.incident();
    out << "  incident:   " << i.id() << " (" << i.incident_class() << ", " << i.phone_count()
        << " phones, " << i.scope().type() << " " << i.scope().name();
    const nlohmann::ordered_json words = {{"also_scopes", also_scopes_json(i)}};
    if (const std::string also = also_scopes_words(words); !also.empty()) out << "; " << also;
    out << ")\n";
  }
  out << "\nWhat to check next:\n";
  for (int i = 0; i < d.next_steps_size(); ++i)
    out << "  " << i + 1 << ". " << d.next_steps(i) << "\n";
  if (!d.timeline().events().empty()) {
    out << "\nTimeline (oldest first, last " << d.timeline().events_size() << " events):\n";
    write_events(out, d.timeline(), Format::kTable);
  }
}

void write_diagnosis_json(std::ostream& out, const regwatch::v1::ExplainReply& d) {
  nlohmann::ordered_json j;
  j["device"] = d.device();
  j["at"] = format_rfc3339_ms(d.at_us());
  j["state"] = state_word(d.state());
  j["since"] = d.since_us() ? nlohmann::ordered_json(format_rfc3339_ms(d.since_us())) : nullptr;
  j["last_drop"] =
      d.last_drop_us() ? nlohmann::ordered_json(format_rfc3339_ms(d.last_drop_us())) : nullptr;
  const auto& r = d.reason();
  if (r.has_code()) {
    j["reason"] = {{"code", r.code()},
                   {"name", r.name()},
                   {"meaning", r.meaning()},
                   {"class", r.reason_class()},
                   {"text", r.text()}};
  } else if (!r.name().empty()) {
    j["reason"] = {{"name", r.name()},
                   {"meaning", r.meaning()},
                   {"class", r.reason_class()},
                   {"text", r.text()}};
  } else {
    j["reason"] = r.text().empty() ? nlohmann::ordered_json(nullptr)
                                   : nlohmann::ordered_json{{"text", r.text()}};
  }
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
                     {"scope", scope_json(i.scope())},
                     {"also_scopes", also_scopes_json(i)},
                     {"phone_count", i.phone_count()}};
  } else {
    j["incident"] = nullptr;
  }
  j["next_steps"] = std::vector<std::string>(d.next_steps().begin(), d.next_steps().end());
  j["timeline"] = nlohmann::ordered_json::array();
  for (const auto& stored : d.timeline().events()) j["timeline"].push_back(flatten_event(stored));
  out << j.dump(2) << "\n";
}

}  // namespace regwatch::cli
