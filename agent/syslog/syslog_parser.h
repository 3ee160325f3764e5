#pragma once
// The syslog analyzer: one line (from a socket or an archive) in, one typed
// event out. Pure: no I/O, no clock (times come in LineContext), no logging.
//
// A line without a usable time of its own (none, unknown, or a '*' unsynchronised clock with
// no relay prefix) gets the receive time, flagged: never another line's time.
//
// It never fails. A line it cannot make sense of is kept whole as SYSLOG_OTHER
// with recognised=false; everything odd about a line is reported as a named
// anomaly for the caller to count. Lines longer than kMaxLineBytes are cut
// there and flagged "line_truncated". Strings in the event are valid UTF-8
// (invalid bytes become "\xNN" text, flagged "invalid_utf8").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::syslog {

inline constexpr size_t kMaxLineBytes = 64 * 1024;

struct LineContext {
  int64_t receive_time_us = 0;         // agent clock at receipt
  int64_t reference_time_us = 0;       // a yearless date takes the year closest to this
  std::string sender;                  // peer address of the sender; "" in replay
  int assumed_utc_offset_minutes = 0;  // device times written without a zone
};

struct ParsedLine {
  regwatch::v1::Event event;  // all but agent_id and seq; source = SOURCE_SYSLOG
  bool recognised = false;
  // The event time is one the line states (the device's, or a relay's prefix); false when the
  // line had no usable time and the receive time stands in (time_info.device_time_untrusted).
  bool time_from_line = false;
  std::vector<std::string_view> anomalies;  // static strings
};

ParsedLine parse_syslog_line(std::string_view line, const LineContext& context);

}  // namespace regwatch::agent::syslog
