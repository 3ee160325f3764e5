#include "cli/alert_report.h"

#include <array>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/alert_status.h"
#include "common/record_json.h"
#include "common/reports/alert_report.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

// "cm_node=ucm-sub1": what the alert is about, from its labels (in name order).
std::string about(const regwatch::v1::Alert& alert) {
  std::string text;
  const std::map<std::string, std::string> labels(alert.labels().begin(), alert.labels().end());
  for (const auto& [name, value] : labels) {
    if (!text.empty()) text += ",";
    text.append(name).append("=").append(value);
  }
  return text;
}

}  // namespace

void write_alerts(std::ostream& out, const regwatch::v1::AlertList& list, Format format,
                  const TimeZone& zone) {
  static const std::array<std::string, 7> kHeader = {"STATE", "ALERT", "SEVERITY", "ABOUT",
                                                     "SINCE", "UNTIL", "SUMMARY"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : list.alerts()) {
    rows.push_back({std::string(alert_status_name(a.status())), a.alertname(), a.severity(),
                    about(a), zone.format(a.start_us()), a.end_us() ? zone.format(a.end_us()) : "",
                    a.summary()});
  }
  switch (format) {
    case Format::kJson: out << reports::alerts_json(list).dump(2) << "\n"; return;
    case Format::kJsonl:
      for (const auto& a : list.alerts()) out << alert_json(a).dump() << "\n";
      return;
    case Format::kCsv:
    case Format::kTable: {
      write_rows(out, {kHeader.begin(), kHeader.end()}, rows, format, "no alerts firing");
      if (format == Format::kCsv) return;
      for (const auto& a : list.alerts()) {
        if (a.status() != regwatch::v1::ALERT_STATUS_FIRING) continue;
        out << "\n"
            << a.alertname() << " (" << about(a) << "): " << a.summary()
            << "\n  check first: " << a.remediation() << "\n  see: " << a.command() << "\n";
      }
      return;
    }
  }
}

}  // namespace regwatch::cli
