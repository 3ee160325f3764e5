#include "common/reports/silence_report.h"

#include "common/time_format.h"

namespace regwatch::reports {
namespace {

// Alertmanager's operators. alerts/label_matcher.h says the same of a parsed matcher; the
// reports render the proto as stored, without compiling its regexes (common/ may not use alerts/).
const char* operator_text(v1::LabelMatcher::Type type) {
  switch (type) {
    case v1::LabelMatcher::NOT_EQUAL: return "!=";
    case v1::LabelMatcher::REGEX: return "=~";
    case v1::LabelMatcher::NOT_REGEX: return "!~";
    default: return "=";
  }
}

nlohmann::ordered_json matchers_json(const v1::Silence& s) {
  nlohmann::ordered_json matchers = nlohmann::ordered_json::array();
  for (const auto& m : s.label_matchers()) {
    matchers.push_back(
        {{"name", m.name()}, {"type", operator_text(m.type())}, {"value", m.value()}});
  }
  for (const auto& [name, value] : s.matchers())
    matchers.push_back({{"name", name}, {"type", "="}, {"value", value}});
  return matchers;
}

}  // namespace

std::string silence_state(const v1::Silence& s, int64_t now_us) {
  if (s.ends_us() <= now_us) return "expired";
  return s.starts_us() > now_us ? "pending" : "active";
}

nlohmann::ordered_json silence_json(const v1::Silence& s, int64_t now_us) {
  return {{"id", s.id()},
          {"state", silence_state(s, now_us)},
          {"matchers", matchers_json(s)},
          {"starts", format_rfc3339_ms(s.starts_us())},
          {"ends", format_rfc3339_ms(s.ends_us())},
          {"author", s.author()},
          {"comment", s.comment()},
          {"created", format_rfc3339_ms(s.created_us())}};
}

nlohmann::ordered_json silences_json(const v1::SilenceList& list, int64_t now_us) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const auto& s : list.silences()) array.push_back(silence_json(s, now_us));
  return array;
}

}  // namespace regwatch::reports
