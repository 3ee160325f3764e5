#pragma once
// Reading the times operators type for --since, --until, --at, --starts (pure: the clock's
// reading and the zone come in as arguments). On top of common/time_format.h's forms (RFC 3339,
// "2h" back from now, "now") it takes the ones a NOC engineer reaches for at 3 a.m.:
//   now-1h, now-30m, now+2h     relative to now, explicitly signed
//   yesterday, today            midnight that began the day, in `zone`
//   1733400000                  epoch seconds (9 digits or more, so "90" is not 1970)
//   2026-11-20                  midnight in `zone` (UTC unless --tz / --local)
//   2026-11-20 09:00            a wall-clock time in `zone`; with Z or +01:00 that offset wins
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/time_zone.h"
#include "common/result.h"
#include "common/time_format.h"

namespace regwatch::cli {

// Unix µs for `text`, or an error that names every form (time_input_forms()).
// `direction` says where a bare duration points: "2h" is 2 h ago for --since, 2 h from now for
// a silence's --until.
Result<int64_t> parse_time_input(std::string_view text, int64_t now_us, const TimeZone& zone,
                                 TimeDirection direction = TimeDirection::kAgo);

// "RFC 3339 (2026-11-20T09:00:00Z), a date (2026-11-20), 2h (ago), now, now-1h, yesterday,
// today or epoch seconds (1733400000)".
std::string time_input_forms(TimeDirection direction = TimeDirection::kAgo);

// A range an operator gave: empty texts are unbounded (0). An inverted or empty range
// (since at or after until) is an error naming both times as read, in `zone`, so "no events"
// never hides a typo.
struct TimeRange {
  int64_t since_us = 0;
  int64_t until_us = 0;
};
Result<TimeRange> parse_time_range(std::string_view since, std::string_view until, int64_t now_us,
                                   const TimeZone& zone, std::string_view since_option = "--since",
                                   std::string_view until_option = "--until");

}  // namespace regwatch::cli
