#include "common/reports/incident_report.h"

#include <cstdint>
#include <map>
#include <sstream>
#include <vector>

#include "common/domain_tables.h"
#include "common/event_kind.h"
#include "common/incident_state.h"
#include "common/record_json.h"
#include "common/reports/event_report.h"
#include "common/reports/event_summary.h"
#include "common/time_format.h"

namespace regwatch::reports {
namespace {

// Markdown table cells must not break the table.
std::string cell(std::string value) {
  for (auto& c : value) {
    if (c == '|' || c == '\n') c = ' ';
  }
  return value;
}

// Cut either by the events query or because the incident cites more events than a view
// carries (IncidentView.evidence_cut): the reports say so rather than let a reader take the
// timeline as complete.
bool timeline_cut(const v1::IncidentView& view) {
  return view.evidence().truncated() || view.evidence_cut();
}

void write_summary(std::ostream& out, const v1::IncidentView& view) {
  const v1::Incident& i = view.incident();
  out << "# Incident " << i.id() << "\n\n"
      << "- **What:** " << i.phones_size() << " phones dropped, " << i.incident_class() << " ("
      << incident_state_name(i.state()) << ")\n"
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
  if (!view.first_id().empty() && view.first_id() != i.id()) {
    out << "- **First reported as:** " << view.first_id()
        << " (the id on its pages; later events moved its start or scope)\n";
  }
  if (!i.reasons().empty()) {
    out << "- **Reasons:**";
    for (const auto& r : i.reasons()) {
      out << " " << r.phones() << " x " << r.code() << " "
          << domain::unregistration_reason_name(r.code()) << ";";
    }
    out << "\n";
  }
  if (!i.rejection_reasons().empty()) {
    out << "- **Rejections:**";
    for (const auto& r : i.rejection_reasons()) {
      out << " " << r.phones() << " x " << r.code() << " "
          << domain::registration_failure_reason_name(r.code()) << ";";
    }
    out << "\n";
  }
  if (i.phone_auth_failures() > 0) {
    out << "- **Phone-side trust failures:** " << i.phone_auth_failures()
        << " phones reported their signed config or trust list failing (ITL / CTL)\n";
  }
}

void write_causes(std::ostream& out, const v1::Incident& i) {
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
}

void write_affected(std::ostream& out, const v1::Incident& i) {
  // Sorted by name: the proto's maps have no order of their own.
  out << "\n## Affected phones\n\n| by CM node | phones |\n| --- | --- |\n";
  const std::map<std::string, uint32_t> by_cm(i.phones_by_cm().begin(), i.phones_by_cm().end());
  for (const auto& [name, n] : by_cm) out << "| " << cell(name) << " | " << n << " |\n";
  out << "\n| by switch | phones |\n| --- | --- |\n";
  const std::map<std::string, uint32_t> by_switch(i.phones_by_switch().begin(),
                                                  i.phones_by_switch().end());
  for (const auto& [name, n] : by_switch) out << "| " << cell(name) << " | " << n << " |\n";
}

void write_updates(std::ostream& out, const v1::IncidentView& view) {
  if (view.updates().empty()) return;
  out << "\n## Updates (collector time)\n\n| at | state | phones | top cause | change |\n"
      << "| --- | --- | --- | --- | --- |\n";
  for (const auto& u : view.updates()) {
    out << "| " << format_rfc3339_ms(u.at_us()) << " | " << incident_state_name(u.state()) << " | "
        << u.phone_count() << " | " << cell(u.top_cause()) << " | " << cell(u.change()) << " |\n";
  }
}

void write_timeline(std::ostream& out, const v1::IncidentView& view) {
  out << "\n## Timeline of the evidence\n\n| event time | id | kind | source | origin | device | "
         "detail |\n"
      << "| --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& stored : view.evidence().events()) {
    const auto& e = stored.event();
    out << "| " << format_rfc3339_ms(e.event_time_us()) << " | " << stored.id() << " | "
        << kind_name(e.kind()) << " | " << cell(source_name(e.source())) << " | "
        << cell(e.origin()) << " | " << cell(event_device(e)) << " | " << cell(event_detail(e))
        << " |\n";
  }
  if (timeline_cut(view))
    out << "\n(timeline cut at " << view.evidence().events_size() << " events)\n";
}

}  // namespace

nlohmann::ordered_json incidents_json(const v1::IncidentList& list) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const auto& i : list.incidents()) array.push_back(incident_json(i));
  return array;
}

nlohmann::ordered_json incident_view_json(const v1::IncidentView& view) {
  nlohmann::ordered_json doc;
  doc["incident"] = incident_json(view.incident());
  doc["first_id"] = view.first_id();
  doc["updates"] = nlohmann::ordered_json::array();
  for (const auto& u : view.updates()) {
    doc["updates"].push_back({{"at", format_rfc3339_ms(u.at_us())},
                              {"id", u.id()},
                              {"state", std::string(incident_state_name(u.state()))},
                              {"class", u.incident_class()},
                              {"scope", {{"type", u.scope_type()}, {"name", u.scope_name()}}},
                              {"phone_count", u.phone_count()},
                              {"top_cause", u.top_cause()},
                              {"change", u.change()}});
  }
  doc["timeline"] = events_json(view.evidence());
  // Only when it happens, so a complete report keeps its shape.
  if (timeline_cut(view)) doc["timeline_truncated"] = true;
  return doc;
}

std::string incident_markdown(const v1::IncidentView& view) {
  std::ostringstream out;
  write_summary(out, view);
  write_causes(out, view.incident());
  write_affected(out, view.incident());
  write_updates(out, view);
  write_timeline(out, view);
  return out.str();
}

}  // namespace regwatch::reports
