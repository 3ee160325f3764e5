#include "cli/time_zone.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <optional>

#include "common/time_format.h"

namespace regwatch::cli {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

// TZ as the process started with it: local() means this, whatever a named zone set since.
const std::optional<std::string>& original_tz() {
  static const std::optional<std::string> kAtStart = [] {
    const char* tz = std::getenv("TZ");
    return tz ? std::optional<std::string>(tz) : std::nullopt;
  }();
  return kAtStart;
}

// Makes glibc's local time this zone's (tzset re-reads only when TZ changed).
void apply(const std::string& name) {
  const std::optional<std::string> wanted =
      name == "local" ? original_tz() : std::optional<std::string>(":" + name);
  const char* current = std::getenv("TZ");
  if (wanted ? (current && *wanted == current) : current == nullptr) return;
  if (wanted) {
    setenv("TZ", wanted->c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

std::string zone_directory() {
  const char* dir = std::getenv("TZDIR");
  return dir && *dir ? dir : "/usr/share/zoneinfo";
}

}  // namespace

TimeZone TimeZone::utc() {
  return TimeZone(Kind::kUtc, "UTC");
}

TimeZone TimeZone::local() {
  (void)original_tz();  // captured before any named zone changes TZ
  return TimeZone(Kind::kTzDatabase, "local");
}

Result<TimeZone> TimeZone::named(const std::string& name) {
  if (name == "local") return local();
  if (name == "UTC" || name == "utc" || name == "Z") return utc();
  // glibc quietly treats an unknown TZ as UTC; a typo must not print wrong times.
  struct stat info {};
  const std::string file = zone_directory() + "/" + name;
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos ||
      stat(file.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return make_error("unknown_zone", "unknown time zone '" + name +
                                          "': give a tz database name such as "
                                          "Europe/Berlin or America/New_York (see " +
                                          zone_directory() +
                                          "; Debian package tzdata), UTC, or local");
  }
  (void)original_tz();
  return TimeZone(Kind::kTzDatabase, name);
}

int64_t TimeZone::offset_at(int64_t unix_s) const {
  if (kind_ == Kind::kUtc) return 0;
  apply(name_);
  const auto t = static_cast<time_t>(unix_s);
  struct tm parts {};
  if (localtime_r(&t, &parts) == nullptr) return 0;
  return parts.tm_gmtoff;
}

int64_t TimeZone::utc_from_local(int64_t local_s) const {
  if (kind_ == Kind::kUtc) return local_s;
  // The offsets a day before and a day after bracket any change; an instant is right when its
  // own offset maps it back onto the wall clock. Both right: the repeated hour (the earlier);
  // neither: the skipped hour (the earlier offset, as if the change had not happened yet).
  const int64_t before = local_s - offset_at(local_s - 86400);
  const int64_t after = local_s - offset_at(local_s + 86400);
  const bool before_right = before + offset_at(before) == local_s;
  const bool after_right = after + offset_at(after) == local_s;
  if (before_right && after_right) return std::min(before, after);
  if (after_right) return after;
  return before;
}

std::string TimeZone::format(int64_t unix_us) const {
  if (kind_ == Kind::kUtc) return format_rfc3339_ms(unix_us);
  int64_t seconds = unix_us / kMicrosPerSecond;
  if (unix_us % kMicrosPerSecond < 0) --seconds;
  const int64_t offset = offset_at(seconds);
  // The wall clock is UTC's rendering of the shifted instant, with the offset in place of "Z".
  std::string text = format_rfc3339_ms(unix_us + offset * kMicrosPerSecond);
  text.pop_back();
  const int64_t magnitude = offset < 0 ? -offset : offset;
  char zone[8];
  std::snprintf(zone, sizeof zone, "%c%02d:%02d", offset < 0 ? '-' : '+',
                static_cast<int>(magnitude / 3600), static_cast<int>(magnitude % 3600 / 60));
  return text + zone;
}

}  // namespace regwatch::cli
