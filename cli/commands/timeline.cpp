// regwatch timeline DEVICE: everything that happened to one phone, oldest first.
#include <iostream>

#include "cli/commands/command.h"
#include "cli/commands/event_filters.h"

namespace regwatch::cli {
namespace {

class TimelineCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ =
        app.add_subcommand("timeline",
                           "everything that happened to one phone, oldest first\n\nExamples:\n"
                           "  regwatch timeline SEP0017943A98BA\n"
                           "  regwatch timeline SEP0017943A98BA --since 7d --format csv\n");
    subcommand_->add_option("DEVICE", device_, "device name, e.g. SEP0017943A98BA")->required();
    add_filter_options(subcommand_, filters_, false);
    filters_.limit = 1000;
  }

  int run(RunContext& context) override {
    v1::EventQuery query;
    std::string problem;
    if (!build_query(filters_, context.zone, query, problem)) return usage_error(problem);
    query.set_device(device_);
    query.set_oldest_first(true);
    return print_events(context, query);
  }

 private:
  Filters filters_;
  std::string device_;
};

}  // namespace

std::unique_ptr<Command> make_timeline_command() {
  return std::make_unique<TimelineCommand>();
}

}  // namespace regwatch::cli
