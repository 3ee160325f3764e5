#include "cli/top_report.h"

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/reports/top_report.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

using regwatch::v1::Offender;
using regwatch::v1::ReasonCount;
using Offenders = google::protobuf::RepeatedPtrField<Offender>;

std::string reason_label(const ReasonCount& r) {
  return r.code() < 0 ? "no code (wire)" : std::to_string(r.code()) + " " + r.name();
}

// "13 KeepAliveTimeout 5, 6 ConnectivityError 1": the mix, most frequent first.
std::string reason_mix(const google::protobuf::RepeatedPtrField<ReasonCount>& reasons,
                       size_t at_most = 3) {
  std::string out;
  for (int i = 0; i < reasons.size() && static_cast<size_t>(i) < at_most; ++i)
    out += (i ? ", " : "") + reason_label(reasons[i]) + " x" + std::to_string(reasons[i].drops());
  if (static_cast<size_t>(reasons.size()) > at_most) out += ", ...";
  return out;
}

void table(std::ostream& out, const char* title, const char* name_header, const Offenders& list,
           const char* where_header, const TimeZone& zone) {
  out << title << "\n";
  if (list.empty()) {
    out << "  none\n\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  rows.push_back({name_header, "DROPS", "PHONES", "LAST DROP"});
  if (where_header) rows.back().push_back(where_header);
  rows.back().push_back("REASONS");
  for (const auto& o : list) {
    rows.push_back({o.name(), std::to_string(o.drops()), std::to_string(o.phones()),
                    zone.format(o.last_drop_us())});
    if (where_header) rows.back().push_back(o.where());
    rows.back().push_back(reason_mix(o.reasons()));
  }
  write_aligned(out, rows, "  ");
  out << "\n";
}

}  // namespace

void write_top(std::ostream& out, const regwatch::v1::TopReply& top, Format format,
               const TimeZone& zone) {
  switch (format) {
    case Format::kJson:
    case Format::kJsonl: {
      const nlohmann::ordered_json j = reports::top_json(top);
      out << (format == Format::kJson ? j.dump(2) : j.dump()) << "\n";
      return;
    }
    case Format::kCsv: {
      out << "list,name,drops,phones,last_drop,where,reasons\n";
      for (auto [list, name] : {std::pair{&top.phones(), "phone"}, std::pair{&top.ports(), "port"},
                                std::pair{&top.switches(), "switch"}}) {
        for (const auto& o : *list) {
          out << name << "," << csv_field(o.name()) << "," << o.drops() << "," << o.phones() << ","
              << zone.format(o.last_drop_us()) << "," << csv_field(o.where()) << ","
              << csv_field(reason_mix(o.reasons(), SIZE_MAX)) << "\n";
        }
      }
      return;
    }
    case Format::kTable:
      out << top.drops() << " drops of " << top.phones_dropped() << " phones";
      if (top.drops() > 0) out << "; reasons: " << reason_mix(top.reasons(), 5);
      out << "\n";
      if (top.drops_without_port() > 0) {
        out << "(" << top.drops_without_port()
            << " drops have no port: no CDP/LLDP sighting of the phone before them)\n";
      }
      out << "\n";
      table(out, "Phones that dropped most:", "PHONE", top.phones(), "PORT AT LAST DROP", zone);
      table(out, "Access ports:", "SWITCH PORT", top.ports(), nullptr, zone);
      table(out, "Switches:", "SWITCH", top.switches(), nullptr, zone);
      if (top.truncated())
        out << "(the period holds more drop reports than one query reads: narrow --since)\n";
      return;
  }
}

}  // namespace regwatch::cli
