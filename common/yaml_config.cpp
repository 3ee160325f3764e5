#include "common/yaml_config.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/closest_name.h"
#include "common/logging.h"

namespace regwatch::config {
namespace {

int line_of_node(const YAML::Node& node) {
  return node.IsDefined() ? node.Mark().line + 1 : 0;
}

}  // namespace

void ConfigErrors::add(const std::string& path, int line, const std::string& message) {
  std::ostringstream out;
  if (line > 0) out << line << ": ";
  out << (path.empty() ? "(top level)" : path) << ": " << message;
  lines_.push_back({false, out.str(), line});
}

void ConfigErrors::add_at(const std::string& path, const std::string& message,
                          const std::string& line_path) {
  std::string at = line_path.empty() ? path : line_path;
  while (!at.empty()) {
    if (const auto it = line_of_path_.find(at); it != line_of_path_.end()) {
      add(path, it->second, message);
      return;
    }
    const size_t cut = at.find_last_of(".[");
    at = cut == std::string::npos ? std::string() : at.substr(0, cut);
  }
  add(path, 0, message);
}

void ConfigErrors::add_whole(const std::string& text) {
  lines_.push_back({true, text});
}

void ConfigErrors::note_line(const std::string& path, int line) {
  if (line > 0) line_of_path_.emplace(path, line);
}

std::string ConfigErrors::format(const std::string& file_name) const {
  // In the file's order (a syntax error first, problems without a line last), as an editor
  // walks them; problems on one line in the order found.
  std::vector<const Line*> sorted;
  for (const auto& line : lines_) sorted.push_back(&line);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Line* a, const Line* b) { return a->order() < b->order(); });
  std::string out;
  for (const Line* at : sorted) {
    const Line& line = *at;
    if (line.whole || file_name.empty()) {
      out += line.text + "\n";
    } else {
      out += file_name + ":" + line.text + "\n";
    }
  }
  return out;
}

YamlMap::YamlMap(YAML::Node node, std::string path, ConfigErrors& errors)
    : node_(std::move(node)), path_(std::move(path)), errors_(errors) {
  if (!path_.empty()) errors_.note_line(path_, line_of_node(node_));
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    errors_.add(path_, line_of_node(node_), "must be a mapping of keys to values");
    node_ = YAML::Node();
  }
}

std::string YamlMap::path_of(const char* key) const {
  return path_.empty() ? std::string(key) : path_ + "." + key;
}

bool YamlMap::has(const char* key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

int YamlMap::line_of(const char* key) const {
  if (!node_.IsMap()) return 0;
  const YAML::Node value = node_[key];
  // A missing key is reported at its mapping, so the user still finds the place.
  return value.IsDefined() ? line_of_node(value) : line_of_node(node_);
}

void YamlMap::note(const char* key) {
  known_.insert(key);
  if (node_.IsMap() && node_[key].IsDefined()) errors_.note_line(path_of(key), line_of(key));
}

void YamlMap::error(const char* key, const std::string& message) {
  errors_.add(path_of(key), line_of(key), message);
}

template <typename T>
void YamlMap::read_scalar(const char* key, T& target, const char* type_name) {
  note(key);
  if (!node_.IsMap()) return;
  YAML::Node value = node_[key];
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsScalar()) {
    error(key, std::string("must be ") + type_name);
    return;
  }
  try {
    target = value.as<T>();
  } catch (const YAML::Exception&) {
    error(key, std::string("must be ") + type_name + ", not '" + value.Scalar() + "'");
  }
}

void YamlMap::read(const char* key, std::string& target) {
  read_scalar(key, target, "a string");
}
void YamlMap::read(const char* key, bool& target) {
  read_scalar(key, target, "true or false");
}
void YamlMap::read(const char* key, int& target) {
  read_scalar(key, target, "an integer");
}
void YamlMap::read(const char* key, double& target) {
  read_scalar(key, target, "a number");
}

void YamlMap::read(const char* key, uint32_t& target) {
  int64_t wide = target;
  read_scalar(key, wide, "a non-negative integer");
  if (wide < 0 || wide > UINT32_MAX) {
    error(key, "must be between 0 and 4294967295");
    return;
  }
  target = static_cast<uint32_t>(wide);
}

void YamlMap::read(const char* key, uint64_t& target) {
  int64_t wide = static_cast<int64_t>(target);
  read_scalar(key, wide, "a non-negative integer");
  if (wide < 0) {
    error(key, "must not be negative");
    return;
  }
  target = static_cast<uint64_t>(wide);
}

void YamlMap::read(const char* key, std::vector<std::string>& target) {
  note(key);
  if (!node_.IsMap()) return;
  YAML::Node value = node_[key];
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsSequence()) {
    error(key, "must be a list of strings");
    return;
  }
  target.clear();
  for (const auto& item : value) {
    if (!item.IsScalar()) {
      error(key, "must be a list of strings");
      return;
    }
    target.push_back(item.Scalar());
  }
}

void YamlMap::read(const char* key, std::vector<uint32_t>& target) {
  note(key);
  if (!node_.IsMap()) return;
  YAML::Node value = node_[key];
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsSequence()) {
    error(key, "must be a list of numbers");
    return;
  }
  std::vector<uint32_t> numbers;
  for (const auto& item : value) {
    try {
      numbers.push_back(item.as<uint32_t>());
    } catch (const YAML::Exception&) {
      error(key, "must be a list of numbers");
      return;
    }
  }
  target = std::move(numbers);
}

void YamlMap::read(const char* key, std::map<std::string, std::string>& target) {
  note(key);
  if (!node_.IsMap()) return;
  YAML::Node value = node_[key];
  if (!value.IsDefined() || value.IsNull()) return;
  if (!value.IsMap()) {
    error(key, "must be a mapping of names to strings");
    return;
  }
  target.clear();
  for (const auto& item : value) {
    if (!item.second.IsScalar()) {
      error(key, "value of '" + item.first.Scalar() + "' must be a string");
      continue;
    }
    target[item.first.Scalar()] = item.second.Scalar();
  }
}

YamlMap YamlMap::child(const char* key) {
  note(key);
  YAML::Node value = node_.IsMap() ? node_[key] : YAML::Node();
  return YamlMap(value, path_of(key), errors_);
}

std::vector<YamlMap> YamlMap::list(const char* key) {
  note(key);
  std::vector<YamlMap> items;
  if (!node_.IsMap()) return items;
  YAML::Node value = node_[key];
  if (!value.IsDefined() || value.IsNull()) return items;
  if (!value.IsSequence()) {
    error(key, "must be a list");
    return items;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    items.emplace_back(value[i], path_of(key) + "[" + std::to_string(i) + "]", errors_);
  }
  return items;
}

void YamlMap::finish() {
  if (!node_.IsMap()) return;
  for (const auto& item : node_) {
    const std::string key = item.first.Scalar();
    if (known_.count(key)) continue;
    const std::string hint = closest_name(key, {known_.begin(), known_.end()});
    std::string message = "unknown key";
    if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
    errors_.add(path_of(key.c_str()), line_of_node(item.first), message);
  }
}

void check_log_level(const std::string& level, const std::string& path, ConfigErrors& errors) {
  if (!is_log_level(level))
    errors.add_at(
        path, "unknown log level '" + level + "' (trace, debug, info, warn, error, critical, off)");
}

void check_log_format(const std::string& format, const std::string& path, ConfigErrors& errors) {
  if (!parse_log_format(format)) {
    errors.add_at(path,
                  "unknown log format '" + format + "' (" + std::string(kLogFormatNames) + ")");
  }
}

void check_readable_file(const std::string& file, const std::string& path, ConfigErrors& errors) {
  if (file.empty()) return;
  std::error_code ec;
  if (std::filesystem::is_directory(file, ec)) {
    errors.add_at(path, "cannot read " + file + ": it is a directory");
    return;
  }
  std::ifstream in(file);
  if (!in) errors.add_at(path, "cannot read " + file + ": " + std::strerror(errno));
}

void check_env_set(const std::string& variable, const std::string& path, ConfigErrors& errors) {
  if (variable.empty()) return;
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr || *value == '\0')
    errors.add_at(path, "the environment variable " + variable + " is not set");
}

Result<YAML::Node> load_yaml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error("config_unreadable", "cannot read config file " + path);
  try {
    YAML::Node node = YAML::Load(in);
    return node;
  } catch (const YAML::ParserException& e) {
    return make_error("config_syntax", path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                           std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

Result<uint64_t> parse_size(const std::string& text) {
  uint64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end == text.data()) {
    return make_error("bad_size", "'" + text + "' is not a size (e.g. 256MiB, 1GiB)");
  }
  std::string unit(end, text.data() + text.size());
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  static const std::pair<const char*, uint64_t> kUnits[] = {{"", 1},
                                                            {"B", 1},
                                                            {"KiB", 1ull << 10},
                                                            {"MiB", 1ull << 20},
                                                            {"GiB", 1ull << 30},
                                                            {"KB", 1000},
                                                            {"MB", 1000 * 1000},
                                                            {"GB", 1000ull * 1000 * 1000}};
  for (const auto& [name, factor] : kUnits) {
    if (unit == name) return number * factor;
  }
  return make_error("bad_size", "'" + text + "': unknown unit (use B, KiB, MiB, GiB)");
}

}  // namespace regwatch::config
