#include "cli/silence_report.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "alerts/label_matcher.h"
#include "common/reports/silence_report.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

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
                    int64_t now_us, const TimeZone& zone) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : list.silences()) {
    rows.push_back({s.id(), reports::silence_state(s, now_us), matchers_text(s),
                    zone.format(s.starts_us()), zone.format(s.ends_us()), s.author(), s.comment()});
  }
  static const std::array<std::string, 7> kHeader = {"ID",   "STATE",  "MATCHERS", "STARTS",
                                                     "ENDS", "AUTHOR", "COMMENT"};
  switch (format) {
    case Format::kJson: out << reports::silences_json(list, now_us).dump(2) << "\n"; return;
    case Format::kJsonl:
      for (const auto& s : list.silences()) out << reports::silence_json(s, now_us).dump() << "\n";
      return;
    case Format::kCsv:
    case Format::kTable: {
      write_rows(out, {kHeader.begin(), kHeader.end()}, rows, format, "no silences");
      return;
    }
  }
}

}  // namespace regwatch::cli
