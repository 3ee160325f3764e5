#pragma once
// The zone the CLI shows times in and reads zone-less input times in (--tz, --local; UTC by
// default). Backed by the system's tz database (tzdata, /usr/share/zoneinfo) through glibc's
// localtime_r: libstdc++ 12 has no std::chrono::locate_zone (docs/dependencies.md says why not
// libdate-tz). Choosing a named zone sets TZ for the whole process (tzset), which is fine for
// the CLI: one thread formats times, and gRPC's threads never read the local time.
#include <cstdint>
#include <string>

#include "common/result.h"

namespace regwatch::cli {

class TimeZone {
 public:
  // The default: offsets are 0, times print as RFC 3339 with "Z".
  static TimeZone utc();
  // A tz database name ("Europe/Berlin", "America/New_York", "UTC"); "local" means local().
  // An unknown name is an error naming where names come from.
  static Result<TimeZone> named(const std::string& name);
  // The machine's zone (TZ as the environment sets it, else /etc/localtime).
  static TimeZone local();

  bool is_utc() const { return kind_ == Kind::kUtc; }
  const std::string& name() const { return name_; }
  // Seconds east of UTC at this instant (Europe/Berlin: 3600 in winter, 7200 in summer).
  int64_t offset_at(int64_t unix_s) const;
  // The instant a wall-clock time in this zone names, given as seconds since 1970-01-01 00:00
  // of the same wall clock. In the hour a DST change repeats, the earlier instant; in the hour
  // it skips, the time as if the change had not happened yet.
  int64_t utc_from_local(int64_t local_s) const;
  // RFC 3339 with milliseconds and this zone's offset: "2026-11-20T10:00:00.000+01:00"
  // ("...Z" in UTC).
  std::string format(int64_t unix_us) const;

 private:
  enum class Kind { kUtc, kTzDatabase };
  TimeZone(Kind kind, std::string name) : kind_(kind), name_(std::move(name)) {}
  Kind kind_;
  std::string name_;
};

}  // namespace regwatch::cli
