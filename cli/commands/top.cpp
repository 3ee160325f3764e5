// regwatch top: chronic offenders, ranked by the collector (Query.Top).
#include <iostream>

#include "cli/commands/command.h"
#include "cli/top_report.h"

namespace regwatch::cli {
namespace {

class TopCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "top",
        "chronic offenders: the phones, access ports and switches that dropped most, and the "
        "reason mix (one drop seen by several inputs counts once)\n\nExamples:\n"
        "  regwatch top\n"
        "  regwatch top --since 30d --limit 25\n"
        "  regwatch top --since 2026-11-01T00:00:00Z --until 2026-11-08T00:00:00Z --format "
        "json\n");
    subcommand_
        ->add_option("--since", since_,
                     "drops at or after (7d, now-24h, yesterday, 2026-11-01, RFC 3339)")
        ->capture_default_str();
    subcommand_->add_option("--until", until_, "drops before");
    subcommand_->add_option("--limit", limit_, "entries per list")->capture_default_str();
  }

  int run(RunContext& context) override {
    v1::TopQuery q;
    int64_t since_us = 0, until_us = 0;
    if (!parse_time_bounds(context, since_, until_, since_us, until_us)) return kExitUsage;
    q.set_since_us(since_us);
    q.set_until_us(until_us);
    q.set_limit(limit_);
    v1::TopReply reply;
    CallError error;
    if (!context.client.top(q, reply, error)) return fail(error);
    write_top(std::cout, reply, context.format, context.zone);
    return 0;
  }

 private:
  std::string since_ = "7d", until_;
  uint32_t limit_ = 10;
};

}  // namespace

std::unique_ptr<Command> make_top_command() {
  return std::make_unique<TopCommand>();
}

}  // namespace regwatch::cli
