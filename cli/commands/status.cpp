// regwatch status: what the collector holds: events per agent.
#include <iostream>

#include "cli/commands/command.h"

namespace regwatch::cli {
namespace {

class StatusCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand("status", "what the collector holds: events per agent");
  }

  int run(RunContext& context) override {
    v1::StatusReply reply;
    CallError error;
    if (!context.client.status(reply, error)) return fail(error);
    write_status(std::cout, reply, context.format);
    return 0;
  }
};

}  // namespace

std::unique_ptr<Command> make_status_command() {
  return std::make_unique<StatusCommand>();
}

}  // namespace regwatch::cli
