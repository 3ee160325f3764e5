// regwatch status: what the collector holds: events per agent, receivers' deliveries. The JSON
// is common/reports/status_report.h's, as the HTTP API answers.
#include <iostream>

#include "cli/commands/command.h"

namespace regwatch::cli {
namespace {

class StatusCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "status",
        "what the collector holds: events per agent, alert receivers' deliveries\n\n"
        "Formats: table (default), json (what the HTTP API's /api/v1/status answers), jsonl,\n"
        "csv (one row per agent).\n"
        "Examples:\n"
        "  regwatch status\n"
        "  regwatch status --format json\n");
  }

  int run(RunContext& context) override {
    v1::StatusReply reply;
    CallError error;
    if (!context.client.status(reply, error)) return fail(error);
    write_status(std::cout, reply, context.format, context.zone);
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> make_status_command() {
  return std::make_unique<StatusCommand>();
}

}  // namespace regwatch::cli
