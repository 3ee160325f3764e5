#include "common/time_format.h"

#include <charconv>
#include <cstdio>

namespace regwatch {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

bool read_int(std::string_view text, size_t& pos, size_t digits, int& out) {
  if (pos + digits > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  pos += digits;
  return true;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos < text.size() && text[pos] == c) {
    ++pos;
    return true;
  }
  return false;
}

}  // namespace

int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  // Howard Hinnant's algorithm: exact for the proleptic Gregorian calendar.
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> unix_us_from_utc(int year, int month, int day, int hour, int minute,
                                        int second, int micros) {
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 ||
      day > kDaysInMonth[month - 1] || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
      second < 0 || second > 60 || micros < 0 || micros >= kMicrosPerSecond) {
    return std::nullopt;
  }
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return std::nullopt;
  const int64_t days =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
  return seconds * kMicrosPerSecond + micros;
}

std::string format_rfc3339_ms(int64_t unix_us) {
  int64_t seconds = unix_us / kMicrosPerSecond;
  int64_t micros = unix_us % kMicrosPerSecond;
  if (micros < 0) {
    micros += kMicrosPerSecond;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Inverse of days_from_civil (Hinnant's civil_from_days).
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t year = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned day = doy - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  year += month <= 2;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(year), month, day, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem % 3600 / 60), static_cast<long long>(rem % 60),
                static_cast<long long>(micros / 1000));
  return buf;
}

Result<int64_t> parse_duration(std::string_view text) {
  const auto bad = [&] {
    return make_error("bad_duration", "'" + std::string(text) +
                                          "' is not a duration: a number and a unit (s, m, h, d, "
                                          "w), e.g. 90s, 30m, 2h, 7d");
  };
  if (text.size() < 2) return bad();
  int64_t amount = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, amount);
  if (ec != std::errc() || end != text.data() + text.size() - 1 || amount < 0) return bad();
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = int64_t{7} * 86400; break;
    default: return bad();
  }
  // A bound keeps every caller's arithmetic (now ± duration, in microseconds) far from int64's
  // limits; no window or silence a NOC means is longer.
  if (amount > kMaxDurationSeconds / unit) {
    return make_error("duration_too_long", "'" + std::string(text) +
                                               "' is longer than the longest duration accepted, " +
                                               std::to_string(kMaxDurationSeconds / 86400) + "d");
  }
  return amount * unit * kMicrosPerSecond;
}

std::string time_arg_forms(TimeDirection direction) {
  return std::string("RFC 3339 (e.g. 2026-11-20T09:00:00Z), a duration ") +
         (direction == TimeDirection::kAgo ? "ago" : "from now") + " (90s, 30m, 2h, 7d) or now";
}

Result<int64_t> parse_time_arg(std::string_view text, int64_t now_us, TimeDirection direction) {
  const auto bad = [&] {
    return make_error(
        "bad_time", "'" + std::string(text) + "' is not a time: use " + time_arg_forms(direction));
  };
  if (text == "now") return now_us;
  if (!text.empty() && text.size() <= 12 && text.find('-') == std::string_view::npos) {
    auto duration = parse_duration(text);
    if (!duration.ok())
      return duration.error().code == "duration_too_long" ? duration.error() : bad();
    return direction == TimeDirection::kAgo ? now_us - *duration : now_us + *duration;
  }
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micros = 0;
  if (!read_int(text, pos, 4, year) || !expect(text, pos, '-') || !read_int(text, pos, 2, month) ||
      !expect(text, pos, '-') || !read_int(text, pos, 2, day)) {
    return bad();
  }
  int64_t offset_s = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') return bad();
    ++pos;
    if (!read_int(text, pos, 2, hour) || !expect(text, pos, ':') ||
        !read_int(text, pos, 2, minute)) {
      return bad();
    }
    if (expect(text, pos, ':') && !read_int(text, pos, 2, second)) return bad();
    if (expect(text, pos, '.')) {
      int digits = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (digits < 6) micros = micros * 10 + (text[pos] - '0');
        ++digits;
        ++pos;
      }
      if (digits == 0) return bad();
      for (int i = digits; i < 6; ++i) micros *= 10;
    }
    if (pos < text.size()) {
      char zone = text[pos];
      if (zone == 'Z' || zone == 'z') {
        ++pos;
      } else if (zone == '+' || zone == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!read_int(text, pos, 2, oh)) return bad();
        expect(text, pos, ':');
        if (!read_int(text, pos, 2, om)) return bad();
        offset_s = (int64_t{oh} * 3600 + int64_t{om} * 60) * (zone == '-' ? -1 : 1);
      }
    }
    if (pos != text.size()) return bad();
  }
  auto utc = unix_us_from_utc(year, month, day, hour, minute, second == 60 ? 59 : second, micros);
  if (!utc) return bad();
  return *utc - offset_s * kMicrosPerSecond;
}

}  // namespace regwatch
