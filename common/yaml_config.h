#pragma once
// Reading a YAML config file into plain structs whose member initialisers are
// the defaults. Every problem is collected (not just the first), with its key
// path and line number; unknown keys are errors (with a "did you mean" hint),
// so a typo never silently falls back to a default.
//
// Usage: YamlMap root(node, "", errors); root.read("listen", cfg.listen);
//        auto tls = root.child("tls"); tls.read(...); tls.finish(); root.finish();
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"

namespace regwatch::config {

// Every problem of one config, in the order found: reading (syntax, types, unknown keys)
// first, then the checks of the finished structs (ranges, files, secrets, URLs). YamlMap
// notes the line of every key it reads, so a check that runs on the structs, after flags
// were applied, still names the line (add_at).
class ConfigErrors {
 public:
  void add(const std::string& path, int line, const std::string& message);
  // At the line where the file set `line_path` (default: path), else where it set the
  // nearest enclosing key ("a.b[2].c" -> "a.b[2]" -> "a.b" -> "a"), else no line (a default
  // or a flag).
  void add_at(const std::string& path, const std::string& message,
              const std::string& line_path = "");
  // A message that names its own place (a YAML syntax error: "file:3:7: ...").
  void add_whole(const std::string& text);
  void note_line(const std::string& path, int line);
  bool empty() const { return lines_.empty(); }
  size_t size() const { return lines_.size(); }
  // "config.yaml:12: spool.max_mb: must be at least 1\n..." for every error, in the file's
  // order; without a file name (no config file: defaults and flags), "spool.max_mb: ...".
  std::string format(const std::string& file_name) const;

 private:
  struct Line {
    bool whole = false;  // printed as it is, without the file name
    std::string text;
    int line = 0;  // 0: none
    // Where format() puts it: whole lines first, then by line, then those without one.
    int64_t order() const { return whole ? -1 : line > 0 ? line : INT32_MAX; }
  };
  std::vector<Line> lines_;
  std::map<std::string, int> line_of_path_;
};

class YamlMap {
 public:
  // `node` may be undefined/null (the section is absent: every read keeps its default).
  YamlMap(YAML::Node node, std::string path, ConfigErrors& errors);

  void read(const char* key, std::string& target);
  void read(const char* key, bool& target);
  void read(const char* key, int& target);
  void read(const char* key, uint32_t& target);
  void read(const char* key, uint64_t& target);
  void read(const char* key, double& target);
  void read(const char* key, std::vector<std::string>& target);
  void read(const char* key, std::vector<uint32_t>& target);
  void read(const char* key, std::map<std::string, std::string>& target);

  YamlMap child(const char* key);
  // A list of mappings ("targets: [{...}, {...}]"); each element's path is key[i].
  std::vector<YamlMap> list(const char* key);

  // Whether the file sets this key (an empty list counts: "rules: []" says none).
  bool has(const char* key) const;

  // Reports keys present in the file that no read()/child() asked for.
  void finish();

  // For validation messages about a key this map holds.
  void error(const char* key, const std::string& message);
  std::string path_of(const char* key) const;
  int line_of(const char* key) const;

 private:
  template <typename T>
  void read_scalar(const char* key, T& target, const char* type_name);
  // Marks the key as known and notes its line for ConfigErrors::add_at.
  void note(const char* key);

  YAML::Node node_;
  std::string path_;
  ConfigErrors& errors_;
  std::set<std::string> known_;
};

// Start-up's checks of what a config names, shared by both binaries so that --check-config
// and a real start refuse the same things with the same words. Each adds at most one error
// at `path` (its line via add_at); an empty value is not checked (the key is optional).
void check_log_level(const std::string& level, const std::string& path, ConfigErrors& errors);
// log_format: text, json or logfmt (common/logging.h).
void check_log_format(const std::string& format, const std::string& path, ConfigErrors& errors);
void check_readable_file(const std::string& file, const std::string& path, ConfigErrors& errors);
void check_env_set(const std::string& variable, const std::string& path, ConfigErrors& errors);

// Loads a YAML file into a node; a syntax error becomes a clear message with
// the line and column.
Result<YAML::Node> load_yaml_file(const std::string& path);

// "256MiB", "1GiB", "512KiB", "1000" (bytes) -> bytes.
Result<uint64_t> parse_size(const std::string& text);

}  // namespace regwatch::config
