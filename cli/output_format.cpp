#include "cli/output_format.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/reflection.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "cli/event_summary.h"
#include "common/ascii_case.h"
#include "common/event_kind.h"
#include "common/incident_state.h"
#include "common/record_json.h"
#include "common/time_format.h"

namespace regwatch::cli {
namespace {

namespace pb = google::protobuf;

// Adds every field of a payload message under its own name (proto3 fields are
// always present with their zero value, so each payload type has a stable key set).
void add_fields(const pb::Message& message, FlatObject& out) {
  const auto* descriptor = message.GetDescriptor();
  const auto* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    std::string name = field->name();
    if (name == "device_name") name = "device";
    if (field->is_repeated() || field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (field->has_presence() && !reflection->HasField(message, field)) {
      out[name] = nullptr;
      continue;
    }
    switch (field->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_INT32:
        out[name] = reflection->GetInt32(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_INT64:
        out[name] = reflection->GetInt64(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT32:
        out[name] = reflection->GetUInt32(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_UINT64:
        out[name] = reflection->GetUInt64(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        out[name] = reflection->GetDouble(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_FLOAT:
        out[name] = reflection->GetFloat(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_BOOL:
        out[name] = reflection->GetBool(message, field);
        break;
      case pb::FieldDescriptor::CPPTYPE_ENUM:
        out[name] = ascii_lower(reflection->GetEnum(message, field)->name());
        break;
      case pb::FieldDescriptor::CPPTYPE_STRING:
        out[name] = reflection->GetString(message, field);
        break;
      default: break;
    }
  }
}

std::string scalar_text(const FlatObject& value) {
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

FlatObject flatten_event(const regwatch::v1::StoredEvent& stored) {
  const auto& e = stored.event();
  FlatObject out;
  out["id"] = stored.id();
  out["agent_id"] = e.agent_id();
  out["seq"] = e.seq();
  out["event_time"] = format_rfc3339_ms(e.event_time_us());
  out["receive_time"] = format_rfc3339_ms(e.receive_time_us());
  out["store_time"] = format_rfc3339_ms(stored.store_time_us());
  out["origin"] = e.origin();
  out["source"] = source_name(e.source());
  out["kind"] = kind_name(e.kind());
  if (e.duplicate_of_source() != regwatch::v1::SOURCE_UNSPECIFIED) {
    // The same drop was reported first by another input: evidence, counted once.
    out["duplicate_of_source"] = source_name(e.duplicate_of_source());
    out["duplicate_of_event_time"] = format_rfc3339_ms(e.duplicate_of_event_time_us());
  }
  if (e.has_provenance()) {
    const auto& p = e.provenance();
    out["sender_address"] = p.sender_address();
    if (!p.stated_address().empty()) out["stated_address"] = p.stated_address();
    out["relayed"] = p.relayed();
    out["spoofed"] = p.spoofed();
  }
  const auto& t = e.time_info();
  out["device_time_untrusted"] = t.device_time_untrusted();
  if (t.device_time_us() != 0) out["device_time"] = format_rfc3339_ms(t.device_time_us());
  out["device_time_text"] = t.device_time_text();
  out["clock_marker"] = t.clock_marker();
  out["year_inferred"] = t.year_inferred();
  out["timezone_assumed"] = t.timezone_assumed();
  if (e.has_syslog()) {
    const auto& s = e.syslog();
    out["syslog_facility"] = s.facility();
    out["syslog_severity"] = s.severity();
    out["syslog_app"] = s.app();
    out["syslog_mnemonic"] = s.mnemonic();
    out["syslog_host"] = s.host();
    out["syslog_relay_host"] = s.relay_host();
    out["syslog_sequence"] = s.sequence();
    out["syslog_text"] = s.text();
    std::string tags;
    for (const auto& tag : s.tags())
      tags += (tags.empty() ? "" : ";") + tag.key() + "=" + tag.value();
    out["syslog_tags"] = tags;
  }
  out["raw"] = e.raw();
  const auto* oneof = e.GetDescriptor()->FindOneofByName("payload");
  if (const auto* field = e.GetReflection()->GetOneofFieldDescriptor(e, oneof)) {
    add_fields(e.GetReflection()->GetMessage(e, field), out);
  }
  return out;
}

std::string json_text(const nlohmann::ordered_json& object, const char* key) {
  if (!object.is_object() || !object.contains(key)) return "";
  const auto& value = object[key];
  return value.is_string() ? value.get<std::string>() : value.dump();
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

void write_events(std::ostream& out, const regwatch::v1::EventList& list, Format format) {
  switch (format) {
    case Format::kJson: {
      nlohmann::ordered_json array = nlohmann::ordered_json::array();
      for (const auto& e : list.events()) array.push_back(flatten_event(e));
      out << array.dump(2) << "\n";
      return;
    }
    case Format::kJsonl:
      for (const auto& e : list.events()) out << flatten_event(e).dump() << "\n";
      return;
    case Format::kCsv: {
      std::vector<FlatObject> rows;
      std::vector<std::string> keys;
      for (const auto& e : list.events()) {
        rows.push_back(flatten_event(e));
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
    case Format::kTable: {
      if (list.events().empty()) {
        out << "no events match\n";
        return;
      }
      std::vector<std::vector<std::string>> rows;
      rows.push_back({"EVENT TIME", "KIND", "ORIGIN", "DEVICE", "REASON", "DETAIL"});
      for (const auto& stored : list.events()) {
        const auto& e = stored.event();
        // A forged origin is said where the eye lands, beside the name it claims.
        const std::string origin =
            e.provenance().spoofed()
                ? e.origin() + " (SPOOFED from " + e.provenance().sender_address() + ")"
                : e.origin();
        rows.push_back({format_rfc3339_ms(e.event_time_us()) +
                            (e.time_info().device_time_untrusted() ? "*" : ""),
                        kind_name(e.kind()), origin, event_device(e), event_reason(e),
                        event_detail(e)});
      }
      write_aligned(out, rows);
      return;
    }
  }
}

void write_status(std::ostream& out, const regwatch::v1::StatusReply& status, Format format) {
  nlohmann::ordered_json json;
  json["version"] = status.version();
  json["schema_version"] = status.schema_version();
  json["total_events"] = status.total_events();
  json["agents"] = nlohmann::ordered_json::array();
  for (const auto& a : status.agents()) {
    json["agents"].push_back({{"agent_id", a.agent_id()},
                              {"last_seq", a.last_seq()},
                              {"events", a.events()},
                              {"spoofed", a.spoofed()},
                              {"last_store_time", format_rfc3339_ms(a.last_store_time_us())}});
  }
  json["receivers"] = nlohmann::ordered_json::array();
  for (const auto& r : status.receivers()) {
    json["receivers"].push_back({{"receiver", r.receiver()},
                                 {"pending", r.pending()},
                                 {"delivered", r.delivered()},
                                 {"given_up", r.given_up()},
                                 {"failed_attempts", r.failed_attempts()},
                                 {"last_error", r.last_error()}});
  }
  if (format == Format::kJson || format == Format::kJsonl) {
    out << json.dump(format == Format::kJson ? 2 : -1) << "\n";
    return;
  }
  if (format == Format::kCsv) {
    out << "agent_id,last_seq,events,spoofed,last_store_time\n";
    for (const auto& a : json["agents"]) {
      out << csv_field(a["agent_id"].get<std::string>()) << "," << a["last_seq"] << ","
          << a["events"] << "," << a["spoofed"] << "," << a["last_store_time"].get<std::string>()
          << "\n";
    }
    return;
  }
  out << "collector " << status.version() << ", schema " << status.schema_version() << ", "
      << status.total_events() << " events stored\n";
  for (const auto& a : status.agents()) {
    out << "  agent " << a.agent_id() << ": " << a.events() << " events, last seq " << a.last_seq()
        << ", last stored " << format_rfc3339_ms(a.last_store_time_us());
    if (a.spoofed() > 0) out << "; " << a.spoofed() << " spoofed (see regwatch events --spoofed)";
    out << "\n";
  }
  for (const auto& r : status.receivers()) {
    out << "  receiver " << r.receiver() << ": " << r.delivered() << " delivered, " << r.pending()
        << " pending, " << r.given_up() << " given up, " << r.failed_attempts()
        << " failed attempts";
    if (!r.last_error().empty()) out << " (last error: " << r.last_error() << ")";
    out << "\n";
  }
}

void write_incidents(std::ostream& out, const regwatch::v1::IncidentList& list, Format format) {
  // What the table and CSV show of the top cause; "" when it has none.
  auto top = [](const regwatch::v1::Incident& i) -> const regwatch::v1::Cause& {
    return i.causes().empty() ? regwatch::v1::Cause::default_instance() : i.causes(0);
  };
  auto top_score = [&](const regwatch::v1::Incident& i) {
    return i.causes().empty() ? std::string() : score_text(i.causes(0).score());
  };
  switch (format) {
    case Format::kJson: {
      nlohmann::ordered_json array = nlohmann::ordered_json::array();
      for (const auto& i : list.incidents()) array.push_back(incident_json(i));
      out << array.dump(2) << "\n";
      return;
    }
    case Format::kJsonl:
      for (const auto& i : list.incidents()) out << incident_json(i).dump() << "\n";
      return;
    case Format::kCsv:
      out << "id,state,class,scope_type,scope_name,start_time,end_time,phone_count,top_cause,top_"
             "subject,score\n";
      for (const auto& i : list.incidents()) {
        out << csv_field(i.id()) << "," << regwatch::incident_state_name(i.state()) << ","
            << i.incident_class() << "," << csv_field(i.scope().type()) << ","
            << csv_field(i.scope().name()) << "," << format_rfc3339_ms(i.start_us()) << ","
            << format_rfc3339_ms(i.end_us()) << "," << i.phones_size() << "," << top(i).kind()
            << "," << csv_field(top(i).subject()) << "," << top_score(i) << "\n";
      }
      return;
    case Format::kTable:
      if (list.incidents().empty()) {
        out << "no incidents\n";
        return;
      }
      for (const auto& i : list.incidents()) {
        out << format_rfc3339_ms(i.start_us()) << "  " << regwatch::incident_state_name(i.state())
            << "  " << i.incident_class() << "  " << i.phones_size() << " phones  "
            << i.scope().type() << " " << i.scope().name() << "\n"
            << "    top cause: " << top(i).kind() << " (score " << top_score(i) << ") "
            << top(i).explanation() << "\n    check first: " << top(i).remediation() << "\n";
      }
      return;
  }
}

}  // namespace regwatch::cli
