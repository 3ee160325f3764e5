// regwatch incident ID: one incident for a postmortem (causes, affected phones, the evidence's
// timeline). Its code is main.cpp's as it was, moved; its rendering is cli/incident_report.

#include <iostream>
#include <set>

#include "cli/commands/command.h"
#include "cli/incident_report.h"

namespace regwatch::cli {
namespace {

class IncidentCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "incident",
        "one incident for a postmortem: causes, affected phones, the evidence's timeline\n\n"
        "Formats: markdown (default; paste it into the postmortem), json, csv (the timeline).\n"
        "Examples:\n"
        "  regwatch incident 'cm_node:ucm-sub1@1795166060395000'\n"
        "  regwatch incident 'cm_node:ucm-sub1@1795166060395000' --format json\n");
    subcommand_
        ->add_option("ID", incident_id_, "the incident's id, as regwatch incidents prints it")
        ->required();
  }

  std::string format_for(const std::string& format_text) const override {
    return format_text == "table" || format_text == "markdown" ? "markdown" : format_text;
  }

  int run(RunContext& context) override {
    const std::string& incident_id = incident_id_;
    CallError error;
    v1::IncidentQuery q;
    q.set_id(incident_id);
    q.set_limit(1);
    v1::IncidentList found;
    if (!context.client.incidents(q, found, error)) return fail(error);
    if (found.incidents().empty()) {
      std::cerr << "regwatch: no incident '" << incident_id
                << "' (regwatch incidents lists them)\n";
      return kExitFailed;
    }
    const v1::Incident& doc = found.incidents(0);
    if (doc.id() != incident_id)
      std::cerr << "regwatch: incident '" << incident_id << "' is now '" << doc.id()
                << "' (later events moved its start or scope)\n";
    v1::EventQuery evidence;
    std::set<int64_t> ids;
    for (const auto& c : doc.causes()) ids.insert(c.evidence().begin(), c.evidence().end());
    ids.insert(doc.drop_evidence().begin(), doc.drop_evidence().end());
    for (int64_t id : ids) {
      if (evidence.ids_size() == 1000) break;  // the server's bound; the incident lists them all
      evidence.add_ids(id);
    }
    evidence.set_oldest_first(true);
    evidence.set_limit(1000);
    v1::EventList evidence_events;
    if (!ids.empty() && !context.client.events(evidence, evidence_events, error))
      return fail(error);
    if (context.format_text == "markdown") {
      write_incident_markdown(std::cout, doc, found, evidence_events);
    } else if (context.format == Format::kCsv) {
      write_events(std::cout, evidence_events, context.format);
    } else {
      write_incident_json(std::cout, doc, found, evidence_events);
    }
    return 0;
  }

 private:
  std::string incident_id_;
};

}  // namespace

std::unique_ptr<Command> make_incident_command() {
  return std::make_unique<IncidentCommand>();
}

}  // namespace regwatch::cli
