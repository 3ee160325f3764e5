// regwatch explain DEVICE: the collector's diagnosis of one phone (Query.Explain), rendered.
#include <iostream>

#include "cli/commands/command.h"
#include "cli/explain_command.h"
#include "cli/time_input.h"
#include "common/clock.h"

namespace regwatch::cli {
namespace {

class ExplainCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "explain",
        "why one phone is (or was) unregistered or rejected, and what to check next: its state, "
        "the reason code in words, its CM node and switch port, the incident it dropped in, its "
        "timeline\n\nExamples:\n"
        "  regwatch explain SEP0017943A98BA\n"
        "  regwatch explain SEP0017943A98BA --at 2026-11-20T09:15:00Z\n"
        "  regwatch explain SEP0017943A98BA --format json\n");
    subcommand_->add_option("DEVICE", device_, "device name, e.g. SEP0017943A98BA")->required();
    subcommand_->add_option("--at", at_,
                            "as it was at this time (RFC 3339, or 2h / 7d ago); default now");
  }

  int run(RunContext& context) override {
    int64_t at = SystemClock::instance().now_us();
    if (!at_.empty()) {
      auto parsed = parse_time_input(at_, at, context.zone);
      if (!parsed.ok()) return usage_error("--at: " + parsed.error().message);
      at = *parsed;
    }
    bool known = false;
    CallError error;
    if (!run_explain(context.client, device_, at, context.format, std::cout, known, error))
      return fail(error);
    return known ? 0 : kExitFailed;  // nothing stored about it: scripts can tell
  }

 private:
  std::string device_, at_;
};

}  // namespace

std::unique_ptr<Command> make_explain_command() {
  return std::make_unique<ExplainCommand>();
}

}  // namespace regwatch::cli
