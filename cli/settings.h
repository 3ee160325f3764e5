#pragma once
// The global options of `regwatch` (--config, --collector, TLS, token, --format, --timeout,
// --tz/--local) and how they combine with the environment and the config files into what a
// command runs with: flag > environment > user file > system file > default (cli_config.h).
#include <CLI/CLI.hpp>

#include <string>

#include "cli/cli_config.h"
#include "cli/collector_client.h"
#include "cli/time_zone.h"
#include "common/result.h"

namespace regwatch::cli {

// What the command line said; only options given (count() > 0) override the layers below.
struct GlobalFlags {
  std::string config_file;
  CliSettings settings;
  std::string token;
  bool local = false;
};

void add_global_options(CLI::App& app, GlobalFlags& flags);

struct Settings {
  ConnectionOptions connection;
  std::string format = "table";
  TimeZone zone = TimeZone::utc();
};

// Reads the config files, the environment (REGWATCH_CONFIG, REGWATCH_COLLECTOR, REGWATCH_TOKEN,
// REGWATCH_TOKEN_FILE) and the parsed flags. Errors (a broken file with file:line, an
// unreadable token file, an unknown zone) are usage errors; a token file others can read is
// warned about on stderr.
Result<Settings> resolve_settings(const CLI::App& app, const GlobalFlags& flags);

}  // namespace regwatch::cli
