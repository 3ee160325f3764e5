#pragma once
// Time as regwatch shows and reads it: Unix microseconds inside, RFC 3339 UTC
// with milliseconds outside ("2015-07-02T06:22:31.000Z").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace regwatch {

std::string format_rfc3339_ms(int64_t unix_us);

// Days from 1970-01-01 for a proleptic Gregorian date; no range checks beyond
// month 1..12 and day 1..31.
int64_t days_from_civil(int64_t year, unsigned month, unsigned day);

// Unix µs for a UTC calendar time, or nullopt when a field is out of range.
std::optional<int64_t> unix_us_from_utc(int year, int month, int day, int hour, int minute,
                                        int second, int micros);

// Which way a relative time ("30m") points: back from now for where a query starts
// (--since 7d), forward for when something ends or begins (a silence's --until 30m).
enum class TimeDirection { kAgo, kFromNow };

// Accepts RFC 3339 / ISO 8601 ("2026-11-23T10:00:00Z", "...+01:00", "2026-11-23 10:00",
// "2026-11-23"), a relative duration ("90s", "15m", "2h", "7d", "1w"; ago or from now as
// `direction` says), or "now". Times without a zone are UTC. Every error names all of these
// forms (time_arg_forms()), so the message alone is enough to write a good one.
Result<int64_t> parse_time_arg(std::string_view text, int64_t now_us,
                               TimeDirection direction = TimeDirection::kAgo);

// "RFC 3339 (e.g. 2026-11-20T09:00:00Z), a duration ago (90s, 30m, 2h, 7d) or now".
std::string time_arg_forms(TimeDirection direction);

// The longest duration parse_duration accepts: 100 years of 365 days.
inline constexpr int64_t kMaxDurationSeconds = int64_t{100} * 365 * 86400;

// "30s", "5m", "2h", "7d", "1w" -> microseconds; at most kMaxDurationSeconds, so callers may
// add it to or take it from a time without overflow. Errors: "bad_duration" (not a duration),
// "duration_too_long" (past the bound).
Result<int64_t> parse_duration(std::string_view text);

}  // namespace regwatch
