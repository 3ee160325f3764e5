#include "cli/incident_report.h"

#include "cli/event_summary.h"
#include "cli/output_format.h"
#include "common/event_kind.h"
#include "common/scope_words.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

// Markdown table cells must not break the table.
std::string cell(std::string value) {
  for (auto& c : value) {
    if (c == '|' || c == '\n') c = ' ';
  }
  return value;
}

}  // namespace

void write_incident_markdown(std::ostream& out, const nlohmann::ordered_json& i,
                             const regwatch::v1::IncidentList& found,
                             const regwatch::v1::EventList& timeline) {
  const nlohmann::ordered_json scope =
      i.contains("scope") ? i["scope"] : nlohmann::ordered_json::object();
  out << "# Incident " << json_text(i, "id") << "\n\n"
      << "- **What:** " << json_text(i, "phone_count") << " phones dropped, "
      << json_text(i, "class") << " (" << json_text(i, "state") << ")\n"
      << "- **Where:** " << json_text(scope, "type") << " " << json_text(scope, "name");
  // The other scopes that went down whole with it: a member whose phones are one /24.
  if (const std::string also = also_scopes_words(i); !also.empty()) out << " (" << also << ")";
  out << "\n"
      << "- **When:** " << json_text(i, "start_time") << " to " << json_text(i, "end_time")
      << " (event time)\n"
      << "- **Recovered:** " << json_text(i, "recovered") << " of " << json_text(i, "phone_count")
      << " registered again\n";
  if (const auto down = i.value("still_down", nlohmann::ordered_json::array());
      down.is_array() && !down.empty()) {
    // The phones that never came back: what a NOC chases after the storm.
    constexpr size_t kShown = 20;
    out << "- **Still down:** " << down.size() << " phone(s) not registered again:";
    for (size_t k = 0; k < down.size() && k < kShown; ++k)
      out << (k ? ", " : " ")
          << (down[k].is_string() ? down[k].get<std::string>() : down[k].dump());
    if (down.size() > kShown) out << " and " << down.size() - kShown << " more";
    out << "\n";
  }
  if (!found.first_id().empty() && found.first_id() != json_text(i, "id"))
    out << "- **First reported as:** " << found.first_id()
        << " (the id on its pages; later events moved its start or scope)\n";
  if (i.contains("reasons") && i["reasons"].is_array() && !i["reasons"].empty()) {
    out << "- **Reasons:**";
    for (const auto& r : i["reasons"])
      out << " " << json_text(r, "phones") << " x " << json_text(r, "code") << " "
          << json_text(r, "name") << ";";
    out << "\n";
  }
  if (i.contains("rejection_reasons") && i["rejection_reasons"].is_array() &&
      !i["rejection_reasons"].empty()) {
    out << "- **Rejections:**";
    for (const auto& r : i["rejection_reasons"])
      out << " " << json_text(r, "phones") << " x " << json_text(r, "code") << " "
          << json_text(r, "name") << ";";
    out << "\n";
  }
  if (i.value("phone_auth_failures", 0) > 0)
    out << "- **Phone-side trust failures:** " << json_text(i, "phone_auth_failures")
        << " phones reported their signed config or trust list failing (ITL / CTL)\n";
  out << "\n## Causes, most likely first\n\n";
  int rank = 0;
  const nlohmann::ordered_json causes = i.value("causes", nlohmann::ordered_json::array());
  for (const auto& c : causes) {
    out << ++rank << ". **" << json_text(c, "kind") << "** on " << json_text(c, "subject")
        << " (score " << json_text(c, "score") << ")  \n   " << json_text(c, "explanation")
        << "  \n   Check first: " << json_text(c, "remediation") << "  \n   Evidence: events "
        << (c.contains("evidence") ? c["evidence"].dump() : "[]") << "\n";
  }
  out << "\n## Affected phones\n\n| by CM node | phones |\n| --- | --- |\n";
  const nlohmann::ordered_json by_cm = i.value("phones_by_cm", nlohmann::ordered_json::object());
  for (const auto& [name, n] : by_cm.items()) {
    out << "| " << cell(name) << " | " << n.dump() << " |\n";
  }
  out << "\n| by switch | phones |\n| --- | --- |\n";
  const nlohmann::ordered_json by_switch =
      i.value("phones_by_switch", nlohmann::ordered_json::object());
  for (const auto& [name, n] : by_switch.items()) {
    out << "| " << cell(name) << " | " << n.dump() << " |\n";
  }
  if (!found.updates().empty()) {
    out << "\n## Updates (collector time)\n\n| at | state | phones | top cause | change |\n"
        << "| --- | --- | --- | --- | --- |\n";
    for (const auto& u : found.updates()) {
      out << "| " << format_rfc3339_ms(u.at_us()) << " | " << u.state() << " | " << u.phone_count()
          << " | " << cell(u.top_cause()) << " | " << cell(u.change()) << " |\n";
    }
  }
  out << "\n## Timeline of the evidence\n\n| event time | id | kind | source | origin | device | "
         "detail |\n"
      << "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& stored : timeline.events()) {
    const auto& e = stored.event();
    out << "| " << format_rfc3339_ms(e.event_time_us()) << " | " << stored.id() << " | "
        << kind_name(e.kind()) << " | " << cell(flatten_event(stored)["source"].get<std::string>())
        << " | " << cell(e.origin()) << " | " << cell(event_device(e)) << " | "
        << cell(event_detail(e)) << " |\n";
  }
  if (timeline.truncated()) out << "\n(timeline cut at " << timeline.events_size() << " events)\n";
}

void write_incident_json(std::ostream& out, const nlohmann::ordered_json& incident,
                         const regwatch::v1::IncidentList& found,
                         const regwatch::v1::EventList& timeline) {
  nlohmann::ordered_json doc;
  doc["incident"] = incident;
  doc["first_id"] = found.first_id();
  doc["updates"] = nlohmann::ordered_json::array();
  for (const auto& u : found.updates()) {
    doc["updates"].push_back({{"at", format_rfc3339_ms(u.at_us())},
                              {"id", u.id()},
                              {"state", u.state()},
                              {"class", u.incident_class()},
                              {"scope", {{"type", u.scope_type()}, {"name", u.scope_name()}}},
                              {"phone_count", u.phone_count()},
                              {"top_cause", u.top_cause()},
                              {"change", u.change()}});
  }
  doc["timeline"] = nlohmann::ordered_json::array();
  for (const auto& stored : timeline.events()) doc["timeline"].push_back(flatten_event(stored));
  out << doc.dump(2) << "\n";
}

}  // namespace regwatch::cli
