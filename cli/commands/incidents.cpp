// regwatch incidents: unregistration bursts with their scope and ranked causes, newest first.
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli/commands/command.h"
#include "cli/commands/follow.h"
#include "common/clock.h"
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
    subcommand_->add_option(
        "--since", since_,
        "started at or after (2h ago, now-1h, yesterday, 2026-11-20, RFC 3339, epoch seconds)");
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
    subcommand_->add_option(
        "--cause", cause_,
        "top cause kind: cm_cpu, cm_slow, link_down, module_failure, boot_loop, "
        "tftp_unavailable, ...");
    subcommand_->add_option(
        "--scope", scope_,
        "where: a scope type (cluster, cm_node, switch, module, vlan, subnet, tftp_server), "
        "TYPE:NAME, or a "
        "name (a switch's name also finds its modules' incidents)");
    subcommand_->add_option("--limit", limit_, "at most this many")->capture_default_str();
    subcommand_->add_flag("--follow,-f", follow_,
                          "print the matching incidents oldest first, then each new incident and "
                          "each change of state (resolved, reopened, withdrawn) once, until "
                          "Ctrl-C (exit 0); exit 2 when the collector goes away");
    subcommand_->footer(std::string(kExitCodesHelp) +
                        "\nWith --follow: 0 after Ctrl-C; 2 when the collector goes away.");
  }

  bool follows() const override { return follow_; }

  int run(RunContext& context) override {
    v1::IncidentQuery q;
    int64_t since_us = 0, until_us = 0;
    if (!parse_time_bounds(context, since_, until_, since_us, until_us)) return kExitUsage;
    q.set_since_us(since_us);
    q.set_until_us(until_us);
    q.set_state(state_);
    q.set_cause(cause_);
    q.set_scope(scope_);
    q.set_limit(limit_);
    if (follow_) {
      if (auto problem = follow_format_problem(context.format_text); !problem.empty())
        return usage_error(problem);
      if (until_us != 0)
        return usage_error("--follow shows incidents from now on: leave out --until");
      return follow(context, q);
    }
    v1::IncidentList list;
    CallError error;
    if (!context.client.incidents(q, list, error)) return fail(error);
    write_incidents(std::cout, list, context.format, context.zone);
    if (list.truncated())
      std::cerr << "regwatch: showing the first " << list.incidents_size() << " (--limit)\n";
    return 0;
  }

 private:
  // Polls the same query: an id not seen yet is printed, a seen one again when its state
  // changed. (A change to an incident older than the newest --limit ones is not seen.)
  int follow(RunContext& context, const v1::IncidentQuery& q) const {
    std::map<std::string, v1::IncidentState> seen;
    CallError error;
    for (bool first = true;; first = false) {
      if (!first && stop_requested(kFollowPollInterval)) return 0;
      v1::IncidentList list;
      if (!context.client.incidents(q, list, error))
        return first ? fail(error) : followed_call_failed(error);
      std::reverse(list.mutable_incidents()->begin(), list.mutable_incidents()->end());
      for (const auto& incident : list.incidents()) {
        const auto known = seen.find(incident.id());
        if (known != seen.end() && known->second == incident.state()) continue;
        const std::string change = known == seen.end() ? (first ? "" : "new")
                                   : incident.state() == v1::INCIDENT_STATE_OPEN
                                       ? "reopened"
                                       : std::string(incident_state_name(incident.state()));
        seen[incident.id()] = incident.state();
        print(context, incident, change);
      }
      std::cout.flush();
    }
  }

  // One incident as the stream shows it: jsonl, the incident's object (its state says what
  // changed); table, a line saying the change, then the incident as the list shows it.
  static void print(RunContext& context, const v1::Incident& incident, const std::string& change) {
    v1::IncidentList one;
    *one.add_incidents() = incident;
    if (context.format == Format::kTable && !change.empty()) {
      std::cout << context.zone.format(SystemClock::instance().now_us()) << "  " << change << ": "
                << incident.id() << "\n";
    }
    write_incidents(std::cout, one, context.format, context.zone);
  }

  bool follow_ = false;
  std::string since_, until_, state_, cause_, scope_;
  uint32_t limit_ = 100;
};

}  // namespace

std::unique_ptr<Command> make_incidents_command() {
  return std::make_unique<IncidentsCommand>();
}

}  // namespace regwatch::cli
