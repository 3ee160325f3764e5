#include "cli/cli_config.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/yaml_config.h"

namespace regwatch::cli {

std::vector<ConfigFile> cli_config_files(const std::string& explicit_file, const std::string& home,
                                         const std::string& xdg_config_home,
                                         const std::string& system_file) {
  if (!explicit_file.empty()) return {{explicit_file, true}};
  std::vector<ConfigFile> files{{system_file, false}};
  // XDG Base Directory: $XDG_CONFIG_HOME, else ~/.config.
  if (!xdg_config_home.empty()) {
    files.push_back({xdg_config_home + "/regwatch/cli.yaml", false});
  } else if (!home.empty()) {
    files.push_back({home + "/.config/regwatch/cli.yaml", false});
  }
  return files;
}

Result<bool> apply_cli_config_file(const std::string& path, CliSettings& settings) {
  auto node = config::load_yaml_file(path);
  if (!node.ok()) return node.error();
  config::ConfigErrors errors;
  CliSettings read = settings;
  config::YamlMap root(*node, "", errors);
  root.read("collector", read.collector);
  root.read("tls_ca", read.tls_ca);
  root.read("tls_cert", read.tls_cert);
  root.read("tls_key", read.tls_key);
  root.read("tls_server_name", read.tls_server_name);
  root.read("token_file", read.token_file);
  root.read("format", read.format);
  root.read("timeout", read.timeout);
  root.read("tz", read.tz);
  root.finish();
  if (root.has("timeout") && read.timeout < 1)
    root.error("timeout", "must be at least 1 (seconds per call)");
  if (root.has("format") && read.format != "table" && read.format != "json" &&
      read.format != "jsonl" && read.format != "csv")
    root.error("format", "must be table, json, jsonl or csv, not '" + read.format + "'");
  if (!errors.empty()) {
    std::string text = errors.format(path);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    return make_error("config_invalid", text);
  }
  settings = read;
  return true;
}

Result<std::string> read_token_file(const std::string& path, std::string& warning) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("token_unreadable", "cannot read the token file " + path);
  std::ostringstream content;
  content << in.rdbuf();
  std::string token = content.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty())
    return make_error("token_empty", "the token file " + path + " is empty: put the token in it");
  if (token.find('\n') != std::string::npos) {
    return make_error("token_lines", "the token file " + path +
                                         " has more than one line: put only the token in it");
  }
  struct stat info {};
  if (stat(path.c_str(), &info) == 0 && (info.st_mode & S_IROTH)) {
    warning =
        "the token file " + path + " can be read by every user of this machine; chmod o-r " + path;
  }
  return token;
}

}  // namespace regwatch::cli
