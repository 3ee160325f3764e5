#pragma once
// One `regwatch` subcommand: it adds its CLI11 subcommand (options, help) to the app, and runs
// when the command line chose it. main.cpp lists the commands explicitly (no self-registering
// plugins) and dispatches to the one parsed; each lives in its own file in cli/commands/.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <memory>
#include <string>

#include "cli/collector_client.h"
#include "cli/output_format.h"

namespace regwatch::cli {

// Exit codes, the same for every subcommand (scripts rely on them).
inline constexpr int kExitUsage = 1;
inline constexpr int kExitUnreachable = 2;
inline constexpr int kExitRefused = 3;
inline constexpr int kExitFailed = 4;

// What a command runs with: the connected client and the output format asked for.
struct RunContext {
  CollectorClient& client;
  Format format;
  std::string format_text;  // as given, or "markdown" (the incident report's table)
};

class Command {
 public:
  virtual ~Command() = default;
  // Adds its subcommand, options and help text to app (called once, in the order of --help).
  virtual void add_to(CLI::App& app) = 0;
  // Whether the command line chose it (after parsing).
  bool chosen() const { return subcommand_ && subcommand_->parsed(); }
  // The --format this command prints in when given format_text (the incident report turns the
  // default table into markdown).
  virtual std::string format_for(const std::string& format_text) const { return format_text; }
  // Runs it; returns the process's exit code.
  virtual int run(RunContext& context) = 0;

 protected:
  CLI::App* subcommand_ = nullptr;
};

// Says what went wrong with a call to the collector; returns the exit code for it.
int fail(const CallError& error);
// Says what is wrong with the arguments; returns kExitUsage.
int usage_error(const std::string& what);

// --since / --until of a query (RFC 3339 or back from now), 0 for one not given; false (after
// saying why) when either is not a time.
bool parse_time_bounds(const std::string& since, const std::string& until, int64_t& since_us,
                       int64_t& until_us);

// The commands, in the order `regwatch --help` lists them.
std::unique_ptr<Command> make_events_command();
std::unique_ptr<Command> make_timeline_command();
std::unique_ptr<Command> make_where_command();
std::unique_ptr<Command> make_status_command();
std::unique_ptr<Command> make_incidents_command();
std::unique_ptr<Command> make_explain_command();
std::unique_ptr<Command> make_top_command();
std::unique_ptr<Command> make_alerts_command();
std::unique_ptr<Command> make_silence_command();
std::unique_ptr<Command> make_incident_command();
std::unique_ptr<Command> make_version_command();

}  // namespace regwatch::cli
