// regwatch incident ID: one incident for a postmortem (causes, affected phones, the evidence's
// timeline). The collector gathers it (Query.IncidentView, collector/query/incident_view.h);
// common/reports/incident_report.h renders it (the HTTP API prints the same); this only writes it.

#include <iostream>

#include "cli/commands/command.h"
#include "common/reports/incident_report.h"

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
    v1::IncidentViewQuery q;
    q.set_id(incident_id);
    v1::IncidentView view;
    if (!context.client.incident_view(q, view, error)) {
      if (error.kind != CallFailure::kNotFound) return fail(error);
      std::cerr << "regwatch: no incident '" << incident_id
                << "' (regwatch incidents lists them)\n";
      return kExitFailed;
    }
    const v1::Incident& doc = view.incident();
    if (view.moved()) {
      std::cerr << "regwatch: incident '" << incident_id << "' is now '" << doc.id()
                << "' (later events moved its start or scope)\n";
    }
    if (context.format_text == "markdown") {
      std::cout << reports::incident_markdown(view);
    } else if (context.format == Format::kCsv) {
      write_events(std::cout, view.evidence(), context.format);
    } else {
      std::cout << reports::incident_view_json(view).dump(2) << "\n";
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
