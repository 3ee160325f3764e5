#pragma once
// How the CLI prints events: table (for people), json (an array of flat
// objects), jsonl (one object per line), csv (RFC 4180). The flat object puts
// the envelope fields and the payload's fields side by side under the proto's
// snake_case names (PhoneEvent.device_name is "device"); times are RFC 3339 UTC
// with milliseconds. Pure functions of their input.
#include <nlohmann/json.hpp>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

enum class Format { kTable, kJson, kJsonl, kCsv };
std::optional<Format> parse_format(std::string_view text);

// An ordered JSON object (keys in a stable order: envelope, then payload).
using FlatObject = nlohmann::ordered_json;
FlatObject flatten_event(const regwatch::v1::StoredEvent& stored);

void write_events(std::ostream& out, const regwatch::v1::EventList& list, Format format);
void write_status(std::ostream& out, const regwatch::v1::StatusReply& status, Format format);
// Incidents: json (an array), jsonl, csv (one row per incident, top cause), or
// a table with the top cause's explanation.
void write_incidents(std::ostream& out, const regwatch::v1::IncidentList& list, Format format);

// A member of a JSON object as text: strings as they are, anything else as
// JSON; "" when absent (or not an object).
std::string json_text(const nlohmann::ordered_json& object, const char* key);

// Rows as columns aligned on the widest cell, two spaces apart, each line after indent.
void write_aligned(std::ostream& out, const std::vector<std::vector<std::string>>& rows,
                   const std::string& indent = "");

// RFC 4180 field quoting.
std::string csv_field(std::string_view value);
// Rows as CSV (the header lower-cased) or as an aligned table (`none` when there are no rows).
void write_rows(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, Format format,
                const std::string& none);

}  // namespace regwatch::cli
