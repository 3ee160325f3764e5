#include "cli/output_format.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>
#include <vector>

#include "common/ascii_case.h"
#include "common/event_kind.h"
#include "common/incident_state.h"
#include "common/record_json.h"
#include "common/reports/event_report.h"
#include "common/reports/event_summary.h"
#include "common/reports/incident_report.h"
#include "common/reports/status_report.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

std::string scalar_text(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace

std::optional<Format> parse_format(std::string_view text) {
  if (text == "table") return Format::kTable;
  if (text == "json") return Format::kJson;
  if (text == "jsonl") return Format::kJsonl;
  if (text == "csv") return Format::kCsv;
  return std::nullopt;
}

void write_rows(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, Format format,
                const std::string& none) {
  if (format == Format::kCsv) {
    for (size_t c = 0; c < header.size(); ++c) out << (c ? "," : "") << ascii_lower(header[c]);
    out << "\n";
    for (const auto& row : rows) {
      for (size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csv_field(row[c]);
      out << "\n";
    }
    return;
  }
  if (rows.empty()) {
    out << none << "\n";
    return;
  }
  std::vector<std::vector<std::string>> table = {header};
  table.insert(table.end(), rows.begin(), rows.end());
  write_aligned(out, table);
}

void write_aligned(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                   const std::string& indent) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  for (const auto& row : rows) {
    out << indent;
    for (size_t c = 0; c < row.size(); ++c) {
      out << row[c];
      if (c + 1 < row.size()) out << std::string(width[c] - row[c].size() + 2, ' ');
    }
    out << "\n";
  }
}

std::string csv_field(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void write_events(std::ostream& out, const regwatch::v1::EventList& list, Format format,
                  const TimeZone& zone) {
  switch (format) {
    case Format::kJson: out << reports::events_json(list).dump(2) << "\n"; return;
    case Format::kJsonl:
      for (const auto& e : list.events()) out << reports::event_object(e).dump() << "\n";
      return;
    case Format::kCsv: {
      std::vector<nlohmann::ordered_json> rows;
      std::vector<std::string> keys;
      for (const auto& e : list.events()) {
        rows.push_back(reports::event_object(e));
        for (const auto& item : rows.back().items()) {
          if (std::find(keys.begin(), keys.end(), item.key()) == keys.end())
            keys.push_back(item.key());
        }
      }
      for (size_t i = 0; i < keys.size(); ++i) out << (i ? "," : "") << csv_field(keys[i]);
      out << "\n";
      for (const auto& row : rows) {
        for (size_t i = 0; i < keys.size(); ++i) {
          out << (i ? "," : "");
          if (row.contains(keys[i])) out << csv_field(scalar_text(row[keys[i]]));
        }
        out << "\n";
      }
      return;
    }
    case Format::kTable:
      if (list.events().empty()) {
        out << "no events match\n";
        return;
      }
      write_event_table(out, list, zone, true);
      return;
  }
}

void write_event_table(std::ostream& out, const regwatch::v1::EventList& list, const TimeZone& zone,
                       bool with_header) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"EVENT TIME", "KIND", "ORIGIN", "DEVICE", "REASON", "DETAIL"});
  for (const auto& stored : list.events()) {
    const auto& e = stored.event();
    // A forged origin is said where the eye lands, beside the name it claims.
    const std::string origin = e.provenance().spoofed() ? e.origin() + " (SPOOFED from " +
                                                              e.provenance().sender_address() + ")"
                                                        : e.origin();
    rows.push_back(
        {zone.format(e.event_time_us()) + (e.time_info().device_time_untrusted() ? "*" : ""),
         kind_name(e.kind()), origin, reports::event_device(e), reports::event_reason(e),
         reports::event_detail(e)});
  }
  if (!with_header) {
    // Aligned as with the header, so the columns of a followed stream stay roughly in line.
    std::ostringstream aligned;
    write_aligned(aligned, rows);
    const std::string text = aligned.str();
    out << text.substr(text.find('\n') + 1);
    return;
  }
  write_aligned(out, rows);
}

void write_status(std::ostream& out, const regwatch::v1::StatusReply& status, Format format,
                  const TimeZone& zone) {
  const nlohmann::ordered_json json = reports::status_json(status);
  if (format == Format::kJson || format == Format::kJsonl) {
    out << json.dump(format == Format::kJson ? 2 : -1) << "\n";
    return;
  }
  if (format == Format::kCsv) {
    out << "agent_id,last_seq,events,spoofed,last_store_time\n";
    for (const auto& a : json["agents"]) {
      out << csv_field(a["agent_id"].get<std::string>()) << "," << a["last_seq"] << ","
          << a["events"] << "," << a["spoofed"] << ","
          << (a["last_store_time"].is_null() ? "" : a["last_store_time"].get<std::string>())
          << "\n";
    }
    return;
  }
  if (!status.store_error().empty()) {
    // Nothing read from the store: no schema, no counts (zeros would read as an empty store).
    out << "collector " << status.version() << ", STORE UNAVAILABLE: " << status.store_error()
        << "\n";
  } else {
    out << "collector " << status.version() << ", schema " << status.schema_version() << ", "
        << status.total_events() << " events stored\n";
  }
  if (const auto& leader = status.leader(); leader.in_pairs()) {
    out << "  store " << status.store_backend() << ", collectors in pairs: ";
    if (leader.this_leads()) {
      out << "THIS collector leads";
    } else if (!leader.lease_current() || leader.leader().empty()) {
      out << "NO collector leads now (the lease ran out; a standby takes it within seconds)";
    } else {
      out << "this collector stands by; " << leader.leader() << " at " << leader.leader_address()
          << " leads";
    }
    if (leader.leader_since_us() != 0 && leader.lease_current())
      out << " since " << zone.format(leader.leader_since_us());
    out << " (term " << leader.term() << ")\n";
  } else if (!status.store_backend().empty()) {
    out << "  store " << status.store_backend() << ", one collector (it leads)\n";
  }
  if (const auto& config = status.config(); config.loaded_at_us() != 0) {
    out << "  config " << (config.file().empty() ? "(no file: defaults and flags)" : config.file());
    if (!config.sha256().empty()) out << " sha256 " << config.sha256().substr(0, 12);
    out << ", loaded " << format_rfc3339_ms(config.loaded_at_us()) << "\n";
    if (!config.reload_ok()) {
      out << "  LAST RELOAD REFUSED at " << format_rfc3339_ms(config.reload_at_us())
          << " (running the config above): " << config.reload_error() << "\n";
    }
    if (config.needs_restart_size() > 0) {
      out << "  restart to apply:";
      for (const auto& key : config.needs_restart()) out << " " << key;
      out << "\n";
    }
  }
  for (const auto& a : status.agents()) {
    if (a.events() == 0) {
      out << "  agent " << a.agent_id() << ": no events yet"
          << (a.connected() ? " (connected)" : "") << "\n";
    } else {
      out << "  agent " << a.agent_id() << ": " << a.events() << " events, last seq "
          << a.last_seq() << ", last stored " << zone.format(a.last_store_time_us())
          << (a.connected() ? ", connected" : "");
      if (a.spoofed() > 0) out << "; " << a.spoofed() << " spoofed (see regwatch events --spoofed)";
      out << "\n";
    }
    for (const auto& t : a.incomplete_targets()) {
      out << "    SNMP target " << t.target() << " (" << t.role() << ") lacks " << t.missing()
          << " since " << zone.format(t.since_us()) << ": " << t.fix() << "\n";
    }
  }
  for (const auto& r : status.receivers()) {
    out << "  receiver " << r.receiver() << ": " << r.delivered() << " delivered, " << r.pending()
        << " pending, " << r.given_up() << " given up, " << r.failed_attempts()
        << " failed attempts";
    if (!r.last_error().empty()) out << " (last error: " << r.last_error() << ")";
    out << "\n";
  }
}

void write_incidents(std::ostream& out, const regwatch::v1::IncidentList& list, Format format,
                     const TimeZone& zone) {
  // What the table and CSV show of the top cause; "" when it has none.
  auto top = [](const regwatch::v1::Incident& i) -> const regwatch::v1::Cause& {
    return i.causes().empty() ? regwatch::v1::Cause::default_instance() : i.causes(0);
  };
  auto top_score = [&](const regwatch::v1::Incident& i) {
    return i.causes().empty() ? std::string() : score_text(i.causes(0).score());
  };
  switch (format) {
    case Format::kJson: out << reports::incidents_json(list).dump(2) << "\n"; return;
    case Format::kJsonl:
      for (const auto& i : list.incidents()) out << incident_json(i).dump() << "\n";
      return;
    case Format::kCsv:
      out << "id,state,class,scope_type,scope_name,start_time,end_time,phone_count,top_cause,top_"
             "subject,score\n";
      for (const auto& i : list.incidents()) {
        out << csv_field(i.id()) << "," << regwatch::incident_state_name(i.state()) << ","
            << i.incident_class() << "," << csv_field(i.scope().type()) << ","
            << csv_field(i.scope().name()) << "," << zone.format(i.start_us()) << ","
            << zone.format(i.end_us()) << "," << i.phones_size() << "," << top(i).kind() << ","
            << csv_field(top(i).subject()) << "," << top_score(i) << "\n";
      }
      return;
    case Format::kTable:
      if (list.incidents().empty()) {
        out << "no incidents\n";
        return;
      }
      for (const auto& i : list.incidents()) {
        out << zone.format(i.start_us()) << "  " << regwatch::incident_state_name(i.state()) << "  "
            << i.incident_class() << "  " << i.phones_size() << " phones  " << i.scope().type()
            << " " << i.scope().name() << "\n"
            << "    top cause: " << top(i).kind() << " (score " << top_score(i) << ") "
            << top(i).explanation() << "\n    check first: " << top(i).remediation() << "\n";
      }
      return;
  }
}

}  // namespace regwatch::cli
