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

class ConfigErrors {
 public:
  void add(const std::string& path, int line, const std::string& message);
  bool empty() const { return lines_.empty(); }
  // "config.yaml:12: spool.max_mb: must be at least 1\n..." for every error.
  std::string format(const std::string& file_name) const;

 private:
  std::vector<std::string> lines_;
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

  YAML::Node node_;
  std::string path_;
  ConfigErrors& errors_;
  std::set<std::string> known_;
};

// Loads a YAML file into a node; a syntax error becomes a clear message with
// the line and column.
Result<YAML::Node> load_yaml_file(const std::string& path);

// "256MiB", "1GiB", "512KiB", "1000" (bytes) -> bytes.
Result<uint64_t> parse_size(const std::string& text);

}  // namespace regwatch::config
