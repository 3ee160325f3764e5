#include "cli/silence_report.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "alerts/label_matcher.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

std::string state_of(const regwatch::v1::Silence& s, int64_t now_us) {
  if (s.ends_us() <= now_us) return "expired";
  return s.starts_us() > now_us ? "pending" : "active";
}

// Alertmanager's form, as amtool prints them: scope=~"ucm-.*",severity!="warning".
std::string matchers_text(const regwatch::v1::Silence& s) {
  std::string out;
  if (auto matchers = alerts::matchers_of(s); matchers.ok()) {
    for (const auto& m : *matchers) out += (out.empty() ? "" : ",") + m.to_string();
  }
  return out;
}

}  // namespace

void write_silences(std::ostream& out, const regwatch::v1::SilenceList& list, Format format,
                    int64_t now_us) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : list.silences()) {
    rows.push_back({s.id(), state_of(s, now_us), matchers_text(s), format_rfc3339_ms(s.starts_us()),
                    format_rfc3339_ms(s.ends_us()), s.author(), s.comment()});
  }
  static const std::array<std::string, 7> kHeader = {"ID",   "STATE",  "MATCHERS", "STARTS",
                                                     "ENDS", "AUTHOR", "COMMENT"};
  switch (format) {
    case Format::kJson:
    case Format::kJsonl: {
      nlohmann::ordered_json array = nlohmann::ordered_json::array();
      for (const auto& s : list.silences()) {
        // Alertmanager's API shape (a list, in order), with our operator for its two flags.
        nlohmann::ordered_json matchers = nlohmann::ordered_json::array();
        if (auto parsed = alerts::matchers_of(s); parsed.ok()) {
          for (const auto& m : *parsed)
            matchers.push_back({{"name", m.name()},
                                {"type", alerts::operator_text(m.type())},
                                {"value", m.value()}});
        }
        nlohmann::ordered_json j{{"id", s.id()},
                                 {"state", state_of(s, now_us)},
                                 {"matchers", matchers},
                                 {"starts", format_rfc3339_ms(s.starts_us())},
                                 {"ends", format_rfc3339_ms(s.ends_us())},
                                 {"author", s.author()},
                                 {"comment", s.comment()},
                                 {"created", format_rfc3339_ms(s.created_us())}};
        if (format == Format::kJsonl) {
          out << j.dump() << "\n";
        } else {
          array.push_back(std::move(j));
        }
      }
      if (format == Format::kJson) out << array.dump(2) << "\n";
      return;
    }
    case Format::kCsv:
    case Format::kTable: {
      write_rows(out, {kHeader.begin(), kHeader.end()}, rows, format, "no silences");
      return;
    }
  }
}

}  // namespace regwatch::cli
