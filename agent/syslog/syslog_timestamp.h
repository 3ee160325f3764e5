#pragma once
// Timestamps as Cisco devices, CUCM and syslog servers write them, read from a
// sequence of whitespace-separated tokens. Pure; no clock.
//   [*|.]Mon dd [yyyy] hh:mm:ss[.fff][:] [TZ[:]]     IOS, CiscoLog, BSD syslog
//   yyyy Mon dd hh:mm:ss[.fff][:] [TZ[:]]             NX-OS
//   TZ: an abbreviation (UTC, CEST, ...), "+hh:mm"/"+hhmm", or "UTC+1", "UTC+07:30", "GMT-5"
//   yyyy-mm-ddThh:mm:ss[.f][Z|+hh:mm]                 RFC 5424, rsyslog prefixes
//   --- 00 0000 00:00:00.000 ---                      CiscoLog "time unknown"
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace regwatch::agent::syslog {

struct CivilTime {
  int year = 0;  // 0 = not given
  int month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0;
};

struct ParsedTimestamp {
  size_t tokens = 0;  // tokens consumed
  CivilTime civil;
  char marker = 0;            // '*', '.' or 0
  bool unknown_time = false;  // CiscoLog's "--- 00 0000 ..."
  bool has_zone = false;
  bool zone_known = false;
  int utc_offset_minutes = 0;  // valid when zone_known
  int64_t utc_us = 0;          // RFC 5424 form only (always has a full date and zone)
  bool iso = false;
};

// Tries to read a timestamp starting at tokens[0]. Trailing ':' on tokens is
// allowed (it separates header fields).
std::optional<ParsedTimestamp> parse_timestamp(std::span<const std::string_view> tokens);

// UTC offset in minutes of a zone abbreviation, "+hhmm"/"+hh:mm", or an offset written after
// UTC/GMT ("UTC+1", "GMT-05:00"); nullopt if unknown.
std::optional<int> zone_offset_minutes(std::string_view zone);

// Unix µs of a civil time in a zone. A missing year is the latest one that puts
// the time at most a month after reference_us; `year_inferred` reports that.
std::optional<int64_t> civil_to_unix_us(const CivilTime& civil, int utc_offset_minutes,
                                        int64_t reference_us, bool& year_inferred);

}  // namespace regwatch::agent::syslog
