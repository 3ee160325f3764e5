// regwatch events: list events, newest first.
#include <iostream>

#include "cli/commands/command.h"
#include "cli/commands/event_filters.h"

namespace regwatch::cli {
namespace {

class EventsCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "events",
        "list events, newest first\n\nExamples:\n"
        "  regwatch events --since 2h --kind phone_unregistered --format json\n"
        "  regwatch events --origin ucm-sub1 --kind cpu_pegging --kind heartbeat_low\n");
    add_filter_options(subcommand_, filters_, true);
    filters_.limit = 100;
  }

  int run(RunContext& context) override {
    v1::EventQuery query;
    std::string problem;
    if (!build_query(filters_, query, problem)) return usage_error(problem);
    return print_events(context, query);
  }

 private:
  Filters filters_;
};

}  // namespace

std::unique_ptr<Command> make_events_command() {
  return std::make_unique<EventsCommand>();
}

}  // namespace regwatch::cli
