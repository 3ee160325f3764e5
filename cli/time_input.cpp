#include "cli/time_input.h"

#include <algorithm>
#include <charconv>

namespace regwatch::cli {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86400;
// Epoch seconds need at least this many digits (1973-03-03 on): a shorter bare number is a
// duration missing its unit, not a time in 1970.
constexpr size_t kMinEpochDigits = 9;

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Floor division, so instants before 1970 still land in the right day.
int64_t floor_div(int64_t a, int64_t b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

// Midnight that began the day `days_back` days before the one holding now, in zone.
int64_t start_of_day(int64_t now_us, const TimeZone& zone, int days_back) {
  const int64_t now_s = floor_div(now_us, kMicrosPerSecond);
  const int64_t local_s = now_s + zone.offset_at(now_s);
  const int64_t midnight_local = (floor_div(local_s, kSecondsPerDay) - days_back) * kSecondsPerDay;
  return zone.utc_from_local(midnight_local) * kMicrosPerSecond;
}

// A calendar date or date-time written without "Z" or an offset: a wall clock in the zone.
bool names_no_offset(std::string_view text) {
  if (text.size() < 10 || text[4] != '-') return false;
  const std::string_view rest = text.substr(10);
  return rest.find_first_of("Zz+-") == std::string_view::npos;
}

}  // namespace

std::string time_input_forms(TimeDirection direction) {
  return std::string("RFC 3339 (2026-11-20T09:00:00Z), a date (2026-11-20), a duration ") +
         (direction == TimeDirection::kAgo ? "ago" : "from now") +
         " (90s, 30m, 2h, 7d), now, now-1h, now+30m, yesterday, today or epoch seconds "
         "(1733400000)";
}

Result<int64_t> parse_time_input(std::string_view text, int64_t now_us, const TimeZone& zone,
                                 TimeDirection direction) {
  const auto bad = [&](const std::string& why = "") {
    return make_error("bad_time", "'" + std::string(text) + "' is not a time" + why + ": use " +
                                      time_input_forms(direction));
  };
  if (text.empty()) return bad();
  if (text == "today") return start_of_day(now_us, zone, 0);
  if (text == "yesterday") return start_of_day(now_us, zone, 1);
  if (text.size() > 4 && text.substr(0, 3) == "now" && (text[3] == '-' || text[3] == '+')) {
    auto duration = parse_duration(text.substr(4));
    if (!duration.ok()) {
      return duration.error().code == "duration_too_long" ? duration.error() : bad();
    }
    return text[3] == '-' ? now_us - *duration : now_us + *duration;
  }
  if (all_digits(text)) {
    if (text.size() < kMinEpochDigits) {
      return bad(
          " (a bare number is read as epoch seconds and needs 9 digits or more; a "
          "duration needs its unit: " +
          std::string(text) + "m, " + std::string(text) + "h)");
    }
    int64_t seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() ||
        seconds > INT64_MAX / kMicrosPerSecond)
      return bad();
    return seconds * kMicrosPerSecond;
  }
  auto parsed = parse_time_arg(text, now_us, direction);
  if (!parsed.ok()) return bad();
  if (!zone.is_utc() && names_no_offset(text)) {
    // parse_time_arg read the wall clock as UTC; the same wall clock in the zone.
    const int64_t local_s = floor_div(*parsed, kMicrosPerSecond);
    const int64_t micros = *parsed - local_s * kMicrosPerSecond;
    return zone.utc_from_local(local_s) * kMicrosPerSecond + micros;
  }
  return *parsed;
}

Result<TimeRange> parse_time_range(std::string_view since, std::string_view until, int64_t now_us,
                                   const TimeZone& zone, std::string_view since_option,
                                   std::string_view until_option) {
  TimeRange range;
  if (!since.empty()) {
    auto at = parse_time_input(since, now_us, zone);
    if (!at.ok())
      return make_error("bad_time", std::string(since_option) + ": " + at.error().message);
    range.since_us = *at;
  }
  if (!until.empty()) {
    auto at = parse_time_input(until, now_us, zone);
    if (!at.ok())
      return make_error("bad_time", std::string(until_option) + ": " + at.error().message);
    range.until_us = *at;
  }
  if (!since.empty() && !until.empty() && range.since_us >= range.until_us) {
    return make_error("inverted_range",
                      std::string(since_option) + " " + std::string(since) + " (" +
                          zone.format(range.since_us) + ") is not before " +
                          std::string(until_option) + " " + std::string(until) + " (" +
                          zone.format(range.until_us) +
                          "): the range is empty; swap them, or did you mean a later " +
                          std::string(until_option) + "?");
  }
  return range;
}

}  // namespace regwatch::cli
