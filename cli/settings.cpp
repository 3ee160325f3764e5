#include "cli/settings.h"

#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

namespace regwatch::cli {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

bool given(const CLI::App& app, const char* option) {
  return app.get_option(option)->count() > 0;
}

bool exists(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0;
}

// "~/x" as the shell would expand it: config files name token files that way.
std::string expand_home(const std::string& path) {
  if (path.size() >= 2 && path[0] == '~' && path[1] == '/' && !env("HOME").empty())
    return env("HOME") + path.substr(1);
  return path;
}

}  // namespace

void add_global_options(CLI::App& app, GlobalFlags& flags) {
  const CliSettings defaults;
  CliSettings& s = flags.settings;
  app.add_option("--config", flags.config_file,
                 "read settings from this file only (env REGWATCH_CONFIG); default: "
                 "~/.config/regwatch/cli.yaml over /etc/regwatch/cli.yaml");
  app.add_option(
      "--collector", s.collector,
      "collector HOST:PORT (env REGWATCH_COLLECTOR; default " + defaults.collector + ")");
  app.add_option("--format", s.format, "table, json, jsonl or csv (default table)");
  app.add_option("--tls-ca", s.tls_ca, "CA of the collector's certificate: use TLS");
  app.add_option("--tls-cert", s.tls_cert, "client certificate (mTLS)");
  app.add_option("--tls-key", s.tls_key, "client key (mTLS)");
  app.add_option("--tls-server-name", s.tls_server_name,
                 "name to verify in the collector's certificate");
  auto* token = app.add_option("--token", flags.token,
                               "token the collector expects (env REGWATCH_TOKEN); shows in ps: "
                               "prefer --token-file");
  app.add_option("--token-file", s.token_file,
                 "file holding the token (env REGWATCH_TOKEN_FILE); keeps it out of ps")
      ->excludes(token);
  app.add_option("--timeout", s.timeout, "seconds to wait for the collector (default 10)")
      ->check(CLI::Range(1, 86400));
  auto* tz = app.add_option("--tz", s.tz,
                            "show times in this zone and read zone-less input times in it "
                            "(Europe/Berlin, local; default UTC)");
  app.add_flag("--local", flags.local, "--tz local: this machine's zone")->excludes(tz);
}

Result<Settings> resolve_settings(const CLI::App& app, const GlobalFlags& flags) {
  CliSettings s;
  const std::string explicit_file =
      given(app, "--config") ? flags.config_file : env("REGWATCH_CONFIG");
  for (const auto& file : cli_config_files(explicit_file, env("HOME"), env("XDG_CONFIG_HOME"))) {
    if (!file.required && !exists(file.path)) continue;
    auto applied = apply_cli_config_file(file.path, s);
    if (!applied.ok()) return applied.error();
  }
  if (!env("REGWATCH_COLLECTOR").empty()) s.collector = env("REGWATCH_COLLECTOR");
  if (!env("REGWATCH_TOKEN_FILE").empty()) s.token_file = env("REGWATCH_TOKEN_FILE");
  const CliSettings& f = flags.settings;
  if (given(app, "--collector")) s.collector = f.collector;
  if (given(app, "--format")) s.format = f.format;
  if (given(app, "--tls-ca")) s.tls_ca = f.tls_ca;
  if (given(app, "--tls-cert")) s.tls_cert = f.tls_cert;
  if (given(app, "--tls-key")) s.tls_key = f.tls_key;
  if (given(app, "--tls-server-name")) s.tls_server_name = f.tls_server_name;
  if (given(app, "--timeout")) s.timeout = f.timeout;
  if (given(app, "--tz")) s.tz = f.tz;
  if (flags.local) s.tz = "local";

  Settings out;
  out.format = s.format;
  auto zone = TimeZone::named(s.tz);
  if (!zone.ok()) return make_error("usage", "--tz: " + zone.error().message);
  out.zone = *zone;
  ConnectionOptions& c = out.connection;
  c.collector = s.collector;
  c.tls_ca_file = expand_home(s.tls_ca);
  c.tls_cert_file = expand_home(s.tls_cert);
  c.tls_key_file = expand_home(s.tls_key);
  c.tls_server_name = s.tls_server_name;
  c.timeout = std::chrono::seconds(s.timeout);
  // A token on the command line wins, then a token file on it, then the environment's token,
  // then the token file the environment or a config file names.
  const bool token_file_flag = given(app, "--token-file");
  if (given(app, "--token")) {
    c.token = flags.token;
  } else if (!token_file_flag && !env("REGWATCH_TOKEN").empty()) {
    c.token = env("REGWATCH_TOKEN");
  } else if (!s.token_file.empty() || token_file_flag) {
    const std::string path = expand_home(token_file_flag ? f.token_file : s.token_file);
    std::string warning;
    auto token = read_token_file(path, warning);
    if (!token.ok()) return make_error("usage", "--token-file: " + token.error().message);
    if (!warning.empty()) std::cerr << "regwatch: warning: " << warning << "\n";
    c.token = *token;
  }
  return out;
}

}  // namespace regwatch::cli
