#pragma once
// The CLI's settings as files, the environment and flags give them, one layer over the other:
// flag > environment > user file (~/.config/regwatch/cli.yaml, $XDG_CONFIG_HOME respected) >
// system file (/etc/regwatch/cli.yaml) > the member initialisers below (the one place the
// defaults live). --config FILE (or REGWATCH_CONFIG) names the only file read instead.
// deploy/cli.example.yaml shows every key.
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace regwatch::cli {

struct CliSettings {
  std::string collector = "127.0.0.1:7443";
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_server_name;
  std::string token_file;
  std::string format = "table";
  int timeout = 10;        // seconds per call
  std::string tz = "UTC";  // a tz database name, UTC, or local
};

// The files to read, in the order they apply (each later one overrides the keys it sets):
// `explicit_file` alone when given (it must exist), else the system file then the user file,
// each only when it exists. `home` and `xdg_config_home` as the environment has them ("" unset).
struct ConfigFile {
  std::string path;
  bool required = false;
};
std::vector<ConfigFile> cli_config_files(const std::string& explicit_file, const std::string& home,
                                         const std::string& xdg_config_home,
                                         const std::string& system_file = "/etc/regwatch/cli.yaml");

// Reads one file's keys into `settings` (keys it does not set keep their value). Every
// problem, each with file:line, comes back in one error; unknown keys are errors.
Result<bool> apply_cli_config_file(const std::string& path, CliSettings& settings);

// The token in `path`: its content without the trailing newline. An empty file, or one that
// cannot be read, is an error that says which; `warning` is set when others may read it.
Result<std::string> read_token_file(const std::string& path, std::string& warning);

}  // namespace regwatch::cli
