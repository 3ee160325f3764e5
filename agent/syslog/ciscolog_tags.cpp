#include "agent/syslog/ciscolog_tags.h"

#include <algorithm>
#include <cctype>

namespace regwatch::agent::syslog {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

TagParse parse_ciscolog_tags(std::string_view body) {
  TagParse result;
  if (!body.starts_with("%[")) {
    result.text = body;
    return result;
  }
  size_t i = 1;  // at '['
  while (i < body.size() && body[i] == '[') {
    ++i;
    std::string key, value;
    bool in_value = false;
    bool closed = false;
    while (i < body.size()) {
      char c = body[i];
      if (c == '\\') {
        if (i + 1 < body.size() &&
            (body[i + 1] == '[' || body[i + 1] == ']' || body[i + 1] == '\\')) {
          (in_value ? value : key).push_back(body[i + 1]);
          i += 2;
          continue;
        }
        result.bad_escape = true;  // keep the backslash as text
        (in_value ? value : key).push_back(c);
        ++i;
        continue;
      }
      if (c == ']') {
        closed = true;
        ++i;
        break;
      }
      if (c == '=' && !in_value) {
        in_value = true;
      } else {
        (in_value ? value : key).push_back(c);
      }
      ++i;
    }
    if (!closed) {
      result.unterminated = true;
      if (!key.empty()) result.tags.emplace_back(std::move(key), std::move(value));
      return result;
    }
    result.tags.emplace_back(std::move(key), std::move(value));
  }
  std::string_view rest = body.substr(std::min(i, body.size()));
  if (rest.starts_with(":")) rest.remove_prefix(1);
  result.text = trim(rest);
  return result;
}

Tags parse_labelled_body(std::string_view body) {
  struct Label {
    std::string_view text;
    std::string_view key;
  };
  static constexpr Label kLabels[] = {
      {"Device name", "DeviceName"},
      {"Device MAC address", "MACAddress"},
      {"Device IP address", "IPAddress"},
      {"Protocol", "Protocol"},
      {"Device type", "DeviceType"},
      {"Device description", "Description"},
      {"Reason Code", "Reason"},
      {"Connecting Port", "ConnectingPort"},
      {"App ID", "AppID"},
      {"Cluster ID", "ClusterID"},
      {"Node ID", "NodeID"},
  };
  struct Found {
    size_t label_start;
    size_t value_start;
    std::string_view key;
  };
  std::vector<Found> found;
  for (const auto& label : kLabels) {
    size_t at = body.find(label.text);
    // "Protocol" also occurs inside other words; a label is followed by ".", " [Optional]" or ":".
    while (at != std::string_view::npos) {
      size_t p = at + label.text.size();
      while (p < body.size() && body[p] == '.') ++p;
      if (body.substr(p).starts_with(" [Optional]")) p += 11;
      while (p < body.size() && body[p] == '.') ++p;
      if (p < body.size() && body[p] == ':') {
        found.push_back({at, p + 1, label.key});
        break;
      }
      at = body.find(label.text, at + 1);
    }
  }
  std::sort(found.begin(), found.end(),
            [](const Found& a, const Found& b) { return a.label_start < b.label_start; });
  Tags tags;
  for (size_t k = 0; k < found.size(); ++k) {
    const size_t end = k + 1 < found.size() ? found[k + 1].label_start : body.size();
    if (end < found[k].value_start) continue;
    tags.emplace_back(
        std::string(found[k].key),
        std::string(trim(body.substr(found[k].value_start, end - found[k].value_start))));
  }
  return tags;
}

std::string_view tag_value(const Tags& tags, std::string_view key) {
  for (const auto& [k, v] : tags) {
    if (iequals(k, key)) return v;
  }
  return {};
}

}  // namespace regwatch::agent::syslog
