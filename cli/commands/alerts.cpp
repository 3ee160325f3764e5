// regwatch alerts: the condition alerts firing now (or resolved since).
#include <iostream>

#include "cli/alert_report.h"
#include "cli/commands/command.h"
#include "cli/time_input.h"
#include "common/clock.h"

namespace regwatch::cli {
namespace {

class AlertsCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "alerts",
        "the condition alerts firing now: heartbeat low, CM CPU pegged, CM down, phones stuck "
        "failing registration, registered count dropped, agents or devices gone silent "
        "(bursts are incidents: regwatch incidents)\n\nExamples:\n"
        "  regwatch alerts\n"
        "  regwatch alerts --all --since 7d --format json\n");
    subcommand_->add_flag("--all", all_, "resolved ones too (those that ended since --since)");
    subcommand_
        ->add_option("--since", since_, "with --all: ended at or after (RFC 3339, or 24h ago)")
        ->capture_default_str();
  }

  int run(RunContext& context) override {
    v1::AlertQuery q;
    q.set_resolved_too(all_);
    auto since = parse_time_input(since_, SystemClock::instance().now_us(), context.zone);
    if (!since.ok()) return usage_error("--since: " + since.error().message);
    q.set_since_us(*since);
    v1::AlertList list;
    CallError error;
    if (!context.client.alerts(q, list, error)) return fail(error);
    write_alerts(std::cout, list, context.format, context.zone);
    if (list.truncated()) std::cerr << "regwatch: showing the first " << list.alerts_size() << "\n";
    return 0;
  }

 private:
  bool all_ = false;
  std::string since_ = "24h";
};

}  // namespace

std::unique_ptr<Command> make_alerts_command() {
  return std::make_unique<AlertsCommand>();
}

}  // namespace regwatch::cli
