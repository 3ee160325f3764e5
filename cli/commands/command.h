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
#include "cli/time_zone.h"

namespace regwatch::cli {

// Exit codes, the same for every subcommand (scripts rely on them).
inline constexpr int kExitUsage = 1;
inline constexpr int kExitUnreachable = 2;
inline constexpr int kExitRefused = 3;
inline constexpr int kExitFailed = 4;
// The footer of `regwatch --help` and of every subcommand's help.
inline constexpr const char* kExitCodesHelp =
    "Exit codes: 0 ok; 1 usage (bad arguments, config file or token file); 2 the collector is\n"
    "unreachable (or went away during --follow); 3 the collector refused (token, certificate);\n"
    "4 the collector failed. Docs: docs/cli.md";

// What a command runs with: the connected client and the output format asked for.
struct RunContext {
  CollectorClient& client;
  Format format;
  std::string format_text;  // as given, or "markdown" (the incident report's table)
  const TimeZone& zone;     // --tz / --local: how times print, how zone-less times read
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
  // Whether it keeps running until Ctrl-C (--follow): main then blocks SIGINT/SIGTERM before
  // connecting, and the command waits for them itself.
  virtual bool follows() const { return false; }
  // Runs it; returns the process's exit code.
  virtual int run(RunContext& context) = 0;

 protected:
  CLI::App* subcommand_ = nullptr;
};

// Says what went wrong with a call to the collector; returns the exit code for it.
int fail(const CallError& error);
// The exit code for a failed call (unreachable 2, refused 3, bad request 1, else 4).
int exit_code_for(const CallError& error);
// Says what is wrong with the arguments; returns kExitUsage.
int usage_error(const std::string& what);

// --since / --until of a query (cli/time_input.h's forms, in context.zone), 0 for one not
// given; false (after saying why) when either is not a time or since is not before until.
bool parse_time_bounds(const RunContext& context, const std::string& since,
                       const std::string& until, int64_t& since_us, int64_t& until_us);

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
