// regwatch: the NOC engineer's view of the collector's history. Builds the app with its global
// options, lets each subcommand (cli/commands/) add itself, and runs the one chosen.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "cli/collector_client.h"
#include "cli/commands/command.h"
#include "cli/output_format.h"
#include "cli/settings.h"
#include "common/build_version.h"
#include "common/signals.h"

namespace {

int run(int argc, char** argv) {
  using namespace regwatch::cli;
  CLI::App app{
      "regwatch: query the history of phone registrations and what surrounded them.\n\n"
      "Examples:\n"
      "  regwatch events --since 2h --kind phone_unregistered\n"
      "  regwatch events --since yesterday --until today --tz Europe/Berlin --format csv\n"
      "  regwatch events --follow --kind phone_unregistered      # new ones until Ctrl-C\n"
      "  regwatch timeline SEP0017943A98BA\n"
      "  regwatch incidents --since now-24h --follow\n"
      "  regwatch alerts\n"
      "  regwatch explain SEP0017943A98BA\n"
      "  regwatch top --since 7d\n"
      "  regwatch silence add --match scope=ucm-sub1 --for 2h --comment 'CUCM patching'\n"
      "  regwatch status\n\n"
      "Settings come from flags, then the environment, then ~/.config/regwatch/cli.yaml, then\n"
      "/etc/regwatch/cli.yaml (collector, tls_*, token_file, format, timeout, tz), e.g.:\n"
      "  printf 'collector: noc-collector:7443\\ntls_ca: /etc/regwatch/ca.pem\\n"
      "token_file: ~/.regwatch-token\\n' > ~/.config/regwatch/cli.yaml\n"
      "  regwatch status\n"};
  app.footer(kExitCodesHelp);
  app.set_version_flag("--version", regwatch::version_line("regwatch"));
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand: regwatch events --format json
  GlobalFlags flags;
  add_global_options(app, flags);

  std::vector<std::unique_ptr<Command>> commands;
  commands.push_back(make_events_command());
  commands.push_back(make_timeline_command());
  commands.push_back(make_where_command());
  commands.push_back(make_status_command());
  commands.push_back(make_incidents_command());
  commands.push_back(make_explain_command());
  commands.push_back(make_top_command());
  commands.push_back(make_alerts_command());
  commands.push_back(make_silence_command());
  commands.push_back(make_incident_command());
  commands.push_back(make_version_command());
  for (auto& command : commands) command->add_to(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here too (exit 0); every other parse error is a usage error,
    // whatever number CLI11 gives it (105 extras, 106 validation, ...).
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }

  Command* chosen = nullptr;
  for (auto& command : commands) {
    if (command->chosen()) chosen = command.get();
  }
  if (!chosen) return kExitUsage;  // require_subcommand(1) lets none through
  auto settings = resolve_settings(app, flags);
  if (!settings.ok()) return usage_error(settings.error().message);
  const std::string format_text = chosen->format_for(settings->format);
  auto format =
      format_text == "markdown" ? std::optional<Format>(Format::kTable) : parse_format(format_text);
  if (!format) return usage_error("--format must be table, json, jsonl or csv");
  // A following command waits for Ctrl-C itself (sigtimedwait); gRPC's threads, started by
  // connect(), inherit the blocked mask so the signal never kills the process under them.
  if (chosen->follows()) regwatch::block_daemon_signals();
  auto client = CollectorClient::connect(settings->connection);
  if (!client.ok()) return usage_error(client.error().message);
  RunContext context{**client, *format, format_text, settings->zone};
  return chosen->run(context);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // Nothing is meant to throw past start-up's checks; if something does, say it, no abort.
    std::cerr << "regwatch: " << e.what() << "\n";
    return regwatch::cli::kExitFailed;
  }
}
