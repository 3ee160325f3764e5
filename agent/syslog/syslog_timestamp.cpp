#include "agent/syslog/syslog_timestamp.h"

#include <array>
#include <cctype>

#include "common/time_format.h"

namespace regwatch::agent::syslog {
namespace {

std::string_view strip_colon(std::string_view t) {
  while (!t.empty() && t.back() == ':') t.remove_suffix(1);
  return t;
}

bool digits(std::string_view t, size_t min, size_t max, int& value) {
  if (t.size() < min || t.size() > max) return false;
  int v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  value = v;
  return true;
}

int month_number(std::string_view t) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (t.size() != 3) return 0;
  char lower[3];
  for (size_t i = 0; i < 3; ++i)
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(t[i])));
  for (size_t m = 0; m < kMonths.size(); ++m) {
    if (std::string_view(lower, 3) == kMonths[m]) return static_cast<int>(m) + 1;
  }
  return 0;
}

// hh:mm:ss[.f{1,6}]
bool clock_time(std::string_view t, CivilTime& civil) {
  if (t.size() < 8 || t[2] != ':' || t[5] != ':') return false;
  if (!digits(t.substr(0, 2), 2, 2, civil.hour) || !digits(t.substr(3, 2), 2, 2, civil.minute) ||
      !digits(t.substr(6, 2), 2, 2, civil.second)) {
    return false;
  }
  if (t.size() == 8) return true;
  if (t[8] != '.' || t.size() < 10 || t.size() > 15) return false;
  int fraction = 0;
  if (!digits(t.substr(9), 1, 6, fraction)) return false;
  for (size_t n = t.size() - 9; n < 6; ++n) fraction *= 10;
  civil.micros = fraction;
  return true;
}

std::optional<ParsedTimestamp> parse_iso(std::string_view t) {
  // yyyy-mm-ddThh:mm:ss[.f][Z|±hh:mm]
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't'))
    return std::nullopt;
  ParsedTimestamp ts;
  ts.iso = true;
  ts.tokens = 1;
  CivilTime& c = ts.civil;
  if (!digits(t.substr(0, 4), 4, 4, c.year) || !digits(t.substr(5, 2), 2, 2, c.month) ||
      !digits(t.substr(8, 2), 2, 2, c.day)) {
    return std::nullopt;
  }
  std::string_view rest = t.substr(11);
  size_t zone_at = rest.find_first_of("Zz+-");
  if (!clock_time(rest.substr(0, zone_at), c)) return std::nullopt;
  if (zone_at == std::string_view::npos) return std::nullopt;  // RFC 5424 requires a zone
  auto offset = zone_offset_minutes(rest.substr(zone_at));
  if (!offset) return std::nullopt;
  ts.has_zone = ts.zone_known = true;
  ts.utc_offset_minutes = *offset;
  auto utc = unix_us_from_utc(c.year, c.month, c.day, c.hour, c.minute,
                              c.second == 60 ? 59 : c.second, c.micros);
  if (!utc) return std::nullopt;
  ts.utc_us = *utc - int64_t{*offset} * 60'000'000;
  return ts;
}

// "+hh:mm", "+hhmm", "+hh"; with short_hours also "+h" and "+h:mm" (as after "UTC").
std::optional<int> signed_offset(std::string_view zone, bool short_hours) {
  int h = 0, m = 0;
  const std::string_view body = zone.substr(1);
  const size_t colon = body.find(':');
  bool ok = false;
  if (colon != std::string_view::npos) {
    ok = digits(body.substr(0, colon), short_hours ? 1 : 2, 2, h) &&
         digits(body.substr(colon + 1), 2, 2, m);
  } else if (body.size() == 4) {
    ok = digits(body.substr(0, 2), 2, 2, h) && digits(body.substr(2), 2, 2, m);
  } else {
    ok = digits(body, short_hours ? 1 : 2, 2, h);
  }
  if (!ok || h > 14 || m > 59) return std::nullopt;
  return (zone[0] == '-' ? -1 : 1) * (h * 60 + m);
}

}  // namespace

std::optional<int> zone_offset_minutes(std::string_view zone) {
  zone = strip_colon(zone);
  if (zone.empty()) return std::nullopt;
  if (zone == "Z" || zone == "z") return 0;
  if (zone[0] == '+' || zone[0] == '-') return signed_offset(zone, false);
  // "UTC+1", "UTC+07:30", "GMT-5": IOS writes a configured offset after the zone's name.
  for (std::string_view base : {"UTC", "GMT"}) {
    if (zone.size() > base.size() && (zone[base.size()] == '+' || zone[base.size()] == '-')) {
      bool same = true;
      for (size_t i = 0; i < base.size(); ++i)
        same = same && std::toupper(static_cast<unsigned char>(zone[i])) == base[i];
      if (same) return signed_offset(zone.substr(base.size()), true);
    }
  }
  struct Zone {
    std::string_view name;
    int minutes;
  };
  static constexpr Zone kZones[] = {
      {"UTC", 0},     {"GMT", 0},    {"UT", 0},     {"WET", 0},    {"WEST", 60},  {"BST", 60},
      {"IST", 60},    {"CET", 60},   {"CEST", 120}, {"MET", 60},   {"MEST", 120}, {"EET", 120},
      {"EEST", 180},  {"MSK", 180},  {"MSD", 240},  {"EST", -300}, {"EDT", -240}, {"CST", -360},
      {"CDT", -300},  {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420}, {"AKST", -540},
      {"AKDT", -480}, {"HST", -600}, {"AST", -240}, {"ADT", -180}, {"NST", -210}, {"NDT", -150},
      {"BRT", -180},  {"ART", -180}, {"SAST", 120}, {"GST", 240},  {"PKT", 300},  {"IST5", 330},
      {"SGT", 480},   {"HKT", 480},  {"AWST", 480}, {"JST", 540},  {"KST", 540},  {"ACST", 570},
      {"ACDT", 630},  {"AEST", 600}, {"AEDT", 660}, {"NZST", 720}, {"NZDT", 780},
  };
  if (zone.size() > 7) return std::nullopt;
  char upper[8] = {};
  for (size_t i = 0; i < zone.size(); ++i)
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(zone[i])));
  const std::string_view key(upper, zone.size());
  for (const auto& z : kZones) {
    if (z.name == key) return z.minutes;
  }
  return std::nullopt;
}

std::optional<ParsedTimestamp> parse_timestamp(std::span<const std::string_view> tokens) {
  if (tokens.empty()) return std::nullopt;
  if (auto iso = parse_iso(strip_colon(tokens[0]))) return iso;
  // CiscoLog "time unknown": --- 00 0000 00:00:00.000 ---
  if (tokens[0] == "---" && tokens.size() >= 5 && strip_colon(tokens[4]) == "---") {
    ParsedTimestamp ts;
    ts.unknown_time = true;
    ts.tokens = 5;
    return ts;
  }
  ParsedTimestamp ts;
  // NX-OS writes the year first: "2018 Apr 20 13:15:07".
  size_t first = 0;
  int leading_year = 0;
  if (tokens.size() >= 4 && digits(tokens[0], 4, 4, leading_year) && month_number(tokens[1]) != 0) {
    ts.civil.year = leading_year;
    first = 1;
  }
  std::string_view month = tokens[first];
  if (!month.empty() && (month[0] == '*' || month[0] == '.')) {
    ts.marker = month[0];
    month.remove_prefix(1);
  }
  ts.civil.month = month_number(month);
  if (ts.civil.month == 0 || tokens.size() < first + 3) return std::nullopt;
  size_t i = first + 1;
  if (!digits(tokens[i], 1, 2, ts.civil.day) || ts.civil.day < 1) return std::nullopt;
  ++i;
  int year = 0;
  if (first == 0 && digits(strip_colon(tokens[i]), 4, 4, year)) {
    ts.civil.year = year;
    ++i;
  }
  if (i >= tokens.size()) return std::nullopt;
  const std::string_view time_token = tokens[i];
  if (!clock_time(strip_colon(time_token), ts.civil)) return std::nullopt;
  ++i;
  // A zone follows the time unless the time already closed the field with ':'.
  if (i < tokens.size() && !time_token.ends_with(':')) {
    const std::string_view candidate = tokens[i];
    const std::string_view zone = strip_colon(candidate);
    if (auto offset = zone_offset_minutes(zone)) {
      ts.has_zone = ts.zone_known = true;
      ts.utc_offset_minutes = *offset;
      ++i;
    } else if (candidate.ends_with(':') && zone.size() >= 2 && zone.size() <= 6) {
      bool letters = true;
      for (char c : zone) letters = letters && std::isalpha(static_cast<unsigned char>(c));
      if (letters) {  // an abbreviation we do not know
        ts.has_zone = true;
        ++i;
      }
    }
  }
  ts.tokens = i;
  return ts;
}

std::optional<int64_t> civil_to_unix_us(const CivilTime& civil, int utc_offset_minutes,
                                        int64_t reference_us, bool& year_inferred) {
  const int64_t offset_us = int64_t{utc_offset_minutes} * 60'000'000;
  auto at = [&](int year) -> std::optional<int64_t> {
    auto utc = unix_us_from_utc(year, civil.month, civil.day, civil.hour, civil.minute,
                                civil.second == 60 ? 59 : civil.second, civil.micros);
    if (!utc) return std::nullopt;
    return *utc - offset_us;
  };
  year_inferred = civil.year == 0;
  if (!year_inferred) return at(civil.year);
  // The latest year that does not put the time more than a month after the
  // reference: logs describe the past, but clocks drift and archives run on.
  // Roughly the reference's year; off by one near New Year, which the ±1 candidates absorb.
  const int reference_year =
      1970 + static_cast<int>(static_cast<double>(reference_us) / (365.2425 * 86400.0 * 1e6));
  constexpr int64_t kFutureTolerance = 31LL * 86400 * 1'000'000;
  std::optional<int64_t> earliest;
  for (int year : {reference_year + 2, reference_year + 1, reference_year, reference_year - 1,
                   reference_year - 2}) {
    auto candidate = at(year);
    if (!candidate) continue;  // Feb 29 in a non-leap year
    if (*candidate <= reference_us + kFutureTolerance) return candidate;
    earliest = candidate;
  }
  return earliest;
}

}  // namespace regwatch::agent::syslog
