#include "cli/alert_report.h"

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace regwatch::cli {
namespace {

// "cm_node=ucm-sub1": what the alert is about, from its labels.
std::string about(const nlohmann::ordered_json& alert) {
  std::string text;
  if (!alert.contains("labels") || !alert["labels"].is_object()) return text;
  for (const auto& [name, value] : alert["labels"].items()) {
    text += (text.empty() ? "" : ",") + name + "=" +
            (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

}  // namespace

void write_alerts(std::ostream& out, const regwatch::v1::AlertList& list, Format format) {
  std::vector<nlohmann::ordered_json> alerts;
  for (const auto& text : list.alerts_json())
    alerts.push_back(nlohmann::ordered_json::parse(text, nullptr, false));
  static const std::array<std::string, 7> kHeader = {"STATE", "ALERT", "SEVERITY", "ABOUT",
                                                     "SINCE", "UNTIL", "SUMMARY"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : alerts) {
    rows.push_back({json_text(a, "state"), json_text(a, "alertname"), json_text(a, "severity"),
                    about(a), json_text(a, "start_time"), json_text(a, "end_time"),
                    json_text(a, "summary")});
  }
  switch (format) {
    case Format::kJson: {
      nlohmann::ordered_json array = nlohmann::ordered_json::array();
      for (auto& a : alerts) array.push_back(std::move(a));
      out << array.dump(2) << "\n";
      return;
    }
    case Format::kJsonl:
      for (const auto& a : alerts) out << a.dump() << "\n";
      return;
    case Format::kCsv:
    case Format::kTable: {
      write_rows(out, {kHeader.begin(), kHeader.end()}, rows, format, "no alerts firing");
      if (format == Format::kCsv) return;
      for (const auto& a : alerts) {
        if (json_text(a, "state") != "firing") continue;
        out << "\n"
            << json_text(a, "alertname") << " (" << about(a) << "): " << json_text(a, "summary")
            << "\n  check first: " << json_text(a, "remediation")
            << "\n  see: " << json_text(a, "command") << "\n";
      }
      return;
    }
  }
}

}  // namespace regwatch::cli
