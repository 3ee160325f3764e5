// regwatch incidents: unregistration bursts with their scope and ranked causes, newest first.
#include <iostream>
#include <string>
#include <vector>

#include "cli/commands/command.h"
#include "common/incident_state.h"

namespace regwatch::cli {
namespace {

class IncidentsCommand final : public Command {
 public:
  void add_to(CLI::App& app) override {
    subcommand_ = app.add_subcommand(
        "incidents",
        "unregistration bursts with their scope and ranked causes, newest first\n\nExamples:\n"
        "  regwatch incidents --since 24h\n"
        "  regwatch incidents --state open --format json\n"
        "  regwatch incidents --cause cm_cpu --since 2026-11-20T00:00:00Z\n"
        "  regwatch incidents --scope sw-3f --since 30d      # the switch and its modules\n"
        "  regwatch incidents --scope cm_node:ucm-sub1\n");
    subcommand_->add_option("--since", since_, "started at or after (RFC 3339, or 2h / 7d ago)");
    subcommand_->add_option("--until", until_, "started before");
    subcommand_
        ->add_option("--state", state_,
                     "open or resolved (both by default); withdrawn: those later events "
                     "showed were no burst")
        ->check(CLI::IsMember([] {
          std::vector<std::string> names;
          for (auto name : regwatch::incident_state_names()) names.emplace_back(name);
          return names;
        }()));
    subcommand_->add_option("--cause", cause_,
                            "top cause kind: cm_cpu, cm_slow, link_down, module_failure, ...");
    subcommand_->add_option(
        "--scope", scope_,
        "where: a scope type (cluster, cm_node, switch, module, vlan, subnet), TYPE:NAME, or a "
        "name (a switch's name also finds its modules' incidents)");
    subcommand_->add_option("--limit", limit_, "at most this many")->capture_default_str();
  }

  int run(RunContext& context) override {
    v1::IncidentQuery q;
    int64_t since_us = 0, until_us = 0;
    if (!parse_time_bounds(since_, until_, since_us, until_us)) return kExitUsage;
    q.set_since_us(since_us);
    q.set_until_us(until_us);
    q.set_state(state_);
    q.set_cause(cause_);
    q.set_scope(scope_);
    q.set_limit(limit_);
    v1::IncidentList list;
    CallError error;
    if (!context.client.incidents(q, list, error)) return fail(error);
    write_incidents(std::cout, list, context.format);
    if (list.truncated())
      std::cerr << "regwatch: showing the first " << list.incidents_size() << " (--limit)\n";
    return 0;
  }

 private:
  std::string since_, until_, state_, cause_, scope_;
  uint32_t limit_ = 100;
};

}  // namespace

std::unique_ptr<Command> make_incidents_command() {
  return std::make_unique<IncidentsCommand>();
}

}  // namespace regwatch::cli
