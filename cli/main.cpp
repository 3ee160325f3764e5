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
#include "common/build_version.h"

int main(int argc, char** argv) {
  using namespace regwatch::cli;
  CLI::App app{
      "regwatch: query the history of phone registrations and what surrounded them.\n\n"
      "Examples:\n"
      "  regwatch events --since 2h --kind phone_unregistered\n"
      "  regwatch events --since 2026-11-20T09:00:00Z --until 2026-11-20T10:00:00Z --reason "
      "KeepAliveTimeout --format csv\n"
      "  regwatch timeline SEP0017943A98BA\n"
      "  regwatch incidents --since 24h\n"
      "  regwatch alerts\n"
      "  regwatch explain SEP0017943A98BA\n"
      "  regwatch top --since 7d\n"
      "  regwatch silence add --match scope=ucm-sub1 --for 2h --comment 'CUCM patching'\n"
      "  regwatch status\n"};
  app.set_version_flag("--version", regwatch::version_line("regwatch"));
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand: regwatch events --format json
  ConnectionOptions connection;
  if (const char* env = std::getenv("REGWATCH_COLLECTOR")) connection.collector = env;
  if (const char* env = std::getenv("REGWATCH_TOKEN")) connection.token = env;
  std::string format_text = "table";
  int timeout = 10;
  app.add_option("--collector", connection.collector,
                 "collector HOST:PORT (env REGWATCH_COLLECTOR)")
      ->capture_default_str();
  app.add_option("--format", format_text, "table, json, jsonl or csv")->capture_default_str();
  app.add_option("--tls-ca", connection.tls_ca_file, "CA of the collector's certificate: use TLS");
  app.add_option("--tls-cert", connection.tls_cert_file, "client certificate (mTLS)");
  app.add_option("--tls-key", connection.tls_key_file, "client key (mTLS)");
  app.add_option("--tls-server-name", connection.tls_server_name,
                 "name to verify in the collector's certificate");
  app.add_option("--token", connection.token, "token the collector expects (env REGWATCH_TOKEN)");
  app.add_option("--timeout", timeout, "seconds to wait for the collector")->capture_default_str();

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
  CLI11_PARSE(app, argc, argv);

  Command* chosen = nullptr;
  for (auto& command : commands) {
    if (command->chosen()) chosen = command.get();
  }
  if (!chosen) return kExitUsage;  // require_subcommand(1) lets none through
  format_text = chosen->format_for(format_text);
  auto format =
      format_text == "markdown" ? std::optional<Format>(Format::kTable) : parse_format(format_text);
  if (!format) {
    std::cerr << "regwatch: --format must be table, json, jsonl or csv\n";
    return kExitUsage;
  }
  connection.timeout = std::chrono::seconds(timeout);
  auto client = CollectorClient::connect(connection);
  if (!client.ok()) {
    std::cerr << "regwatch: " << client.error().message << "\n";
    return kExitUsage;
  }
  RunContext context{**client, *format, format_text};
  return chosen->run(context);
}
