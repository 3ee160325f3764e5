#include "cli/incident_report.h"

#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/event_summary.h"
#include "cli/output_format.h"
#include "common/domain_tables.h"
#include "common/event_kind.h"
#include "common/incident_state.h"
#include "common/record_json.h"
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

void write_incident_markdown(std::ostream& out, const regwatch::v1::Incident& i,
                             const regwatch::v1::IncidentView& found,
                             const regwatch::v1::EventList& timeline) {
  out << "# Incident " << i.id() << "\n\n"
      << "- **What:** " << i.phones_size() << " phones dropped, " << i.incident_class() << " ("
      << regwatch::incident_state_name(i.state()) << ")\n"
      << "- **Where:** " << i.scope().type() << " " << i.scope().name();
  // The other scopes that went down whole with it: a member whose phones are one /24.
  if (const std::string also = also_scopes_words(i); !also.empty()) out << " (" << also << ")";
  out << "\n"
      << "- **When:** " << format_rfc3339_ms(i.start_us()) << " to "
      << format_rfc3339_ms(i.end_us()) << " (event time)\n"
      << "- **Recovered:** " << i.recovered() << " of " << i.phones_size() << " registered again\n";
  if (const auto& down = i.still_down(); !down.empty()) {
    // The phones that never came back: what a NOC chases after the storm.
    constexpr int kShown = 20;
    out << "- **Still down:** " << down.size() << " phone(s) not registered again:";
    for (int k = 0; k < down.size() && k < kShown; ++k) out << (k ? ", " : " ") << down[k];
    if (down.size() > kShown) out << " and " << down.size() - kShown << " more";
    out << "\n";
  }
  if (!found.first_id().empty() && found.first_id() != i.id())
    out << "- **First reported as:** " << found.first_id()
        << " (the id on its pages; later events moved its start or scope)\n";
  if (!i.reasons().empty()) {
    out << "- **Reasons:**";
    for (const auto& r : i.reasons())
      out << " " << r.phones() << " x " << r.code() << " "
          << domain::unregistration_reason_name(r.code()) << ";";
    out << "\n";
  }
  if (!i.rejection_reasons().empty()) {
    out << "- **Rejections:**";
    for (const auto& r : i.rejection_reasons())
      out << " " << r.phones() << " x " << r.code() << " "
          << domain::registration_failure_reason_name(r.code()) << ";";
    out << "\n";
  }
  if (i.phone_auth_failures() > 0)
    out << "- **Phone-side trust failures:** " << i.phone_auth_failures()
        << " phones reported their signed config or trust list failing (ITL / CTL)\n";
  out << "\n## Causes, most likely first\n\n";
  int rank = 0;
  for (const auto& c : i.causes()) {
    out << ++rank << ". **" << c.kind() << "** on " << c.subject() << " (score "
        << score_text(c.score()) << ")  \n   " << c.explanation()
        << "  \n   Check first: " << c.remediation() << "  \n   Evidence: events "
        << nlohmann::ordered_json(std::vector<int64_t>(c.evidence().begin(), c.evidence().end()))
               .dump()
        << "\n";
  }
  out << "\n## Affected phones\n\n| by CM node | phones |\n| --- | --- |\n";
  const std::map<std::string, uint32_t> by_cm(i.phones_by_cm().begin(), i.phones_by_cm().end());
  for (const auto& [name, n] : by_cm) out << "| " << cell(name) << " | " << n << " |\n";
  out << "\n| by switch | phones |\n| --- | --- |\n";
  const std::map<std::string, uint32_t> by_switch(i.phones_by_switch().begin(),
                                                  i.phones_by_switch().end());
  for (const auto& [name, n] : by_switch) out << "| " << cell(name) << " | " << n << " |\n";
  if (!found.updates().empty()) {
    out << "\n## Updates (collector time)\n\n| at | state | phones | top cause | change |\n"
        << "| --- | --- | --- | --- | --- |\n";
    for (const auto& u : found.updates()) {
      out << "| " << format_rfc3339_ms(u.at_us()) << " | "
          << regwatch::incident_state_name(u.state()) << " | " << u.phone_count() << " | "
          << cell(u.top_cause()) << " | " << cell(u.change()) << " |\n";
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
  // Cut either by the events query or because the incident cites more events than a view
  // carries (IncidentView.evidence_cut): say so rather than let a reader take it as complete.
  if (timeline.truncated() || found.evidence_cut())
    out << "\n(timeline cut at " << timeline.events_size() << " events)\n";
}

void write_incident_json(std::ostream& out, const regwatch::v1::Incident& incident,
                         const regwatch::v1::IncidentView& found,
                         const regwatch::v1::EventList& timeline) {
  nlohmann::ordered_json doc;
  doc["incident"] = incident_json(incident);
  doc["first_id"] = found.first_id();
  doc["updates"] = nlohmann::ordered_json::array();
  for (const auto& u : found.updates()) {
    doc["updates"].push_back({{"at", format_rfc3339_ms(u.at_us())},
                              {"id", u.id()},
                              {"state", std::string(regwatch::incident_state_name(u.state()))},
                              {"class", u.incident_class()},
                              {"scope", {{"type", u.scope_type()}, {"name", u.scope_name()}}},
                              {"phone_count", u.phone_count()},
                              {"top_cause", u.top_cause()},
                              {"change", u.change()}});
  }
  doc["timeline"] = nlohmann::ordered_json::array();
  for (const auto& stored : timeline.events()) doc["timeline"].push_back(flatten_event(stored));
  // Only when it happens, so a complete report keeps its shape.
  if (timeline.truncated() || found.evidence_cut()) doc["timeline_truncated"] = true;
  out << doc.dump(2) << "\n";
}

}  // namespace regwatch::cli
