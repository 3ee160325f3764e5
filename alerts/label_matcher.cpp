#include "alerts/label_matcher.h"

#include <re2/re2.h>

#include <algorithm>

#include "common/closest_name.h"

namespace regwatch::alerts {
namespace {

constexpr const char* kForms =
    "write LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX or LABEL!~REGEX, e.g. scope=~\"ucm-.*\"";

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9');
}
bool space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

Status check_name_syntax(const std::string& name) {
  if (name.empty() || !name_start(name[0]) ||
      !std::all_of(name.begin(), name.end(), [](char c) { return name_char(c); }))
    return make_error("bad_matcher", "'" + name + "' is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)");
  return Ok{};
}

// "..." -> its text: \" and \\ are a quote and a backslash; any other escape is kept whole
// (a regex's \d or \.), so a pattern needs no double escaping.
Result<std::string> unquote(std::string_view quoted) {
  std::string out;
  for (size_t i = 1; i + 1 < quoted.size(); ++i) {
    const char c = quoted[i];
    if (c == '"') return make_error("bad_matcher", "a quote inside a quoted value needs \\\"");
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i + 2 >= quoted.size()) return make_error("bad_matcher", "the quote is not closed");
    const char next = quoted[++i];
    if (next == '"' || next == '\\') {
      out += next;
    } else {
      out += '\\';
      out += next;
    }
  }
  return out;
}

}  // namespace

LabelMatcher::LabelMatcher(std::string name, std::string value)
    : name_(std::move(name)), value_(std::move(value)) {}

Result<LabelMatcher> LabelMatcher::make(std::string name, MatchType type, std::string value) {
  if (auto ok = check_name_syntax(name); !ok.ok()) return ok.error();
  LabelMatcher m;
  m.name_ = std::move(name);
  m.type_ = type;
  m.value_ = std::move(value);
  if (type == MatchType::kRegex || type == MatchType::kNotRegex) {
    RE2::Options options;
    options.set_log_errors(false);  // the error is returned, not printed
    // Compiled alone first, so that an error quotes the operator's pattern, not our anchors.
    if (const RE2 alone(m.value_, options); !alone.ok())
      return make_error("bad_matcher",
                        m.to_string() + ": not a regular expression (RE2): " + alone.error());
    auto regex = std::make_shared<const RE2>("^(?:" + m.value_ + ")$", options);
    if (!regex->ok())  // e.g. a pattern that closes our group: "a)|(b"
      return make_error("bad_matcher",
                        m.to_string() + ": not a regular expression (RE2): " + regex->error());
    m.regex_ = std::move(regex);
  }
  return m;
}

Result<LabelMatcher> LabelMatcher::parse(std::string_view text) {
  const std::string_view all = trim(text);
  size_t pos = 0;
  while (pos < all.size() && name_char(all[pos])) ++pos;
  const std::string name(all.substr(0, pos));
  while (pos < all.size() && space(all[pos])) ++pos;
  const std::string_view rest = all.substr(pos);
  MatchType type = MatchType::kEqual;
  size_t op_size = 1;
  if (rest.substr(0, 2) == "=~") {
    type = MatchType::kRegex, op_size = 2;
  } else if (rest.substr(0, 2) == "!=") {
    type = MatchType::kNotEqual, op_size = 2;
  } else if (rest.substr(0, 2) == "!~") {
    type = MatchType::kNotRegex, op_size = 2;
  } else if (rest.substr(0, 1) != "=" || name.empty()) {
    return make_error("bad_matcher", "'" + std::string(text) + "' is not a matcher: " + kForms);
  }
  const std::string_view raw = trim(rest.substr(op_size));
  std::string value(raw);
  if (!raw.empty() && raw.front() == '"') {
    if (raw.size() < 2 || raw.back() != '"')
      return make_error("bad_matcher", "'" + std::string(text) + "': the quote is not closed");
    auto unquoted = unquote(raw);
    if (!unquoted.ok())
      return make_error("bad_matcher", "'" + std::string(text) + "': " + unquoted.error().message);
    value = std::move(unquoted).value();
  }
  return make(name, type, std::move(value));
}

bool LabelMatcher::matches(const Labels& labels) const {
  const auto it = labels.find(name_);
  const std::string& actual = it == labels.end() ? std::string() : it->second;
  switch (type_) {
    case MatchType::kEqual: return actual == value_;
    case MatchType::kNotEqual: return actual != value_;
    case MatchType::kRegex: return RE2::FullMatch(actual, *regex_);
    case MatchType::kNotRegex: return !RE2::FullMatch(actual, *regex_);
  }
  return false;
}

std::string LabelMatcher::to_string() const {
  std::string out = name_ + operator_text(type_) + "\"";
  for (char c : value_) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

const char* operator_text(MatchType type) {
  switch (type) {
    case MatchType::kEqual: return "=";
    case MatchType::kNotEqual: return "!=";
    case MatchType::kRegex: return "=~";
    case MatchType::kNotRegex: return "!~";
  }
  return "=";
}

bool matches_all(const Matchers& matchers, const Labels& labels) {
  return std::all_of(matchers.begin(), matchers.end(),
                     [&](const LabelMatcher& m) { return m.matches(labels); });
}

std::vector<std::string> alert_label_names(const Labels& external_labels) {
  std::vector<std::string> names = {
      // every alert
      "alertname", "severity",
      // incident alerts (alerts/incident_alert.cpp)
      "class", "scope_type", "scope", "incident", "cause", "cause_subject", "cm_node", "switch",
      "cluster",
      // condition alerts (alerts/condition_rules.cpp, alert_for_condition)
      "condition", "agent", "source", "input"};
  for (const auto& [name, value] : external_labels) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

Status check_label_name(const std::string& name, const std::vector<std::string>& known) {
  if (std::find(known.begin(), known.end(), name) != known.end()) return Ok{};
  std::string message = "no alert carries the label '" + name + "'";
  if (const auto hint = closest_name(name, known); !hint.empty())
    message += " (did you mean '" + hint + "'?)";
  message += "; labels: ";
  for (size_t i = 0; i < known.size(); ++i) message += (i ? ", " : "") + known[i];
  return make_error("unknown_label", message);
}

bool silences(const regwatch::v1::Silence& silence, const Labels& labels) {
  const auto matchers = matchers_of(silence);
  return matchers.ok() && !matchers->empty() && matches_all(*matchers, labels);
}

Result<Matchers> matchers_of(const regwatch::v1::Silence& silence) {
  Matchers out;
  for (const auto& m : silence.label_matchers()) {
    MatchType type = MatchType::kEqual;
    switch (m.type()) {
      case regwatch::v1::LabelMatcher::NOT_EQUAL: type = MatchType::kNotEqual; break;
      case regwatch::v1::LabelMatcher::REGEX: type = MatchType::kRegex; break;
      case regwatch::v1::LabelMatcher::NOT_REGEX: type = MatchType::kNotRegex; break;
      default: break;
    }
    auto made = LabelMatcher::make(m.name(), type, m.value());
    if (!made.ok()) return made.error();
    out.push_back(std::move(made).value());
  }
  for (const auto& [name, value] : silence.matchers()) {
    auto made = LabelMatcher::make(name, MatchType::kEqual, value);
    if (!made.ok()) return made.error();
    out.push_back(std::move(made).value());
  }
  return out;
}

regwatch::v1::LabelMatcher to_proto(const LabelMatcher& matcher) {
  regwatch::v1::LabelMatcher out;
  out.set_name(matcher.name());
  out.set_value(matcher.value());
  switch (matcher.type()) {
    case MatchType::kEqual: out.set_type(regwatch::v1::LabelMatcher::EQUAL); break;
    case MatchType::kNotEqual: out.set_type(regwatch::v1::LabelMatcher::NOT_EQUAL); break;
    case MatchType::kRegex: out.set_type(regwatch::v1::LabelMatcher::REGEX); break;
    case MatchType::kNotRegex: out.set_type(regwatch::v1::LabelMatcher::NOT_REGEX); break;
  }
  return out;
}

}  // namespace regwatch::alerts
