#include "common/event_kind.h"

#include <algorithm>
#include <cctype>

#include "common/ascii_case.h"

namespace regwatch {

std::string kind_name(v1::EventKind kind) {
  if (kind == v1::EVENT_KIND_UNSPECIFIED || !v1::EventKind_IsValid(kind)) return "unspecified";
  return ascii_lower(v1::EventKind_Name(kind));
}

std::optional<v1::EventKind> parse_kind(std::string_view name) {
  std::string upper(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  v1::EventKind kind{};
  if (!v1::EventKind_Parse(upper, &kind) || kind == v1::EVENT_KIND_UNSPECIFIED) return std::nullopt;
  return kind;
}

std::vector<std::string> all_kind_names() {
  std::vector<std::string> names;
  for (int i = v1::EventKind_MIN + 1; i <= v1::EventKind_MAX; ++i) {
    if (v1::EventKind_IsValid(i)) names.push_back(kind_name(static_cast<v1::EventKind>(i)));
  }
  return names;
}

std::string source_name(v1::Source source) {
  if (source == v1::SOURCE_UNSPECIFIED || !v1::Source_IsValid(source)) return "unspecified";
  return ascii_lower(v1::Source_Name(source).substr(std::string_view("SOURCE_").size()));
}

std::optional<v1::Source> parse_source(std::string_view name) {
  std::string upper = "SOURCE_" + std::string(name);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  v1::Source source{};
  if (!v1::Source_Parse(upper, &source) || source == v1::SOURCE_UNSPECIFIED) return std::nullopt;
  return source;
}

std::vector<std::string> all_source_names() {
  std::vector<std::string> names;
  for (int i = v1::Source_MIN + 1; i <= v1::Source_MAX; ++i) {
    if (v1::Source_IsValid(i)) names.push_back(source_name(static_cast<v1::Source>(i)));
  }
  return names;
}

}  // namespace regwatch
