#pragma once
// How the CLI prints events, its status and incidents: table (for people), json (what
// common/reports/ renders, the HTTP API's answer too), jsonl (one object per line), csv
// (RFC 4180). Writing only: the JSON is the reports', the CSV columns are the flat event object's
// (common/reports/event_report.h).
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/time_zone.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

enum class Format { kTable, kJson, kJsonl, kCsv };
std::optional<Format> parse_format(std::string_view text);

// Times print in `zone` in the table and CSV; json and jsonl stay the API's UTC objects.
void write_events(std::ostream& out, const regwatch::v1::EventList& list, Format format,
                  const TimeZone& zone = TimeZone::utc());
// The table of events (the header only when asked: a followed stream prints it once).
void write_event_table(std::ostream& out, const regwatch::v1::EventList& list, const TimeZone& zone,
                       bool with_header);
void write_status(std::ostream& out, const regwatch::v1::StatusReply& status, Format format,
                  const TimeZone& zone = TimeZone::utc());
// Incidents: json (an array), jsonl, csv (one row per incident, top cause), or
// a table with the top cause's explanation.
void write_incidents(std::ostream& out, const regwatch::v1::IncidentList& list, Format format,
                     const TimeZone& zone = TimeZone::utc());

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
