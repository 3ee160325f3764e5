// The time forms operators type (cli/time_input.h) and the zones they read and print in.
#include "cli/time_input.h"

#include <gtest/gtest.h>

#include "cli/time_zone.h"

namespace regwatch::cli {
namespace {

constexpr int64_t kSecond = 1'000'000;
// 2026-11-20T09:30:00Z, a Friday; Berlin is at +01:00 (winter time).
constexpr int64_t kNow = 1795167000 * kSecond;

int64_t at(std::string_view text, const TimeZone& zone = TimeZone::utc(),
           TimeDirection direction = TimeDirection::kAgo) {
  auto parsed = parse_time_input(text, kNow, zone, direction);
  EXPECT_TRUE(parsed.ok()) << text << ": " << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? *parsed : -1;
}

TimeZone berlin() {
  auto zone = TimeZone::named("Europe/Berlin");
  EXPECT_TRUE(zone.ok()) << "tzdata installed? " << (zone.ok() ? "" : zone.error().message);
  return zone.ok() ? *zone : TimeZone::utc();
}

TEST(TimeInput, TodaysFormsStillRead) {
  EXPECT_EQ(at("now"), kNow);
  EXPECT_EQ(at("2h"), kNow - 2 * 3600 * kSecond);
  EXPECT_EQ(at("2026-11-20T09:00:00Z"), kNow - 1800 * kSecond);
  EXPECT_EQ(at("2026-11-20T10:00:00+01:00"), kNow - 1800 * kSecond);
  EXPECT_EQ(at("30m", TimeZone::utc(), TimeDirection::kFromNow), kNow + 1800 * kSecond);
}

TEST(TimeInput, NowWithAnOffset) {
  EXPECT_EQ(at("now-1h"), kNow - 3600 * kSecond);
  EXPECT_EQ(at("now-30m"), kNow - 1800 * kSecond);
  EXPECT_EQ(at("now+2h"), kNow + 7200 * kSecond);
  EXPECT_FALSE(parse_time_input("now-", kNow, TimeZone::utc()).ok());
  EXPECT_FALSE(parse_time_input("now-1x", kNow, TimeZone::utc()).ok());
}

TEST(TimeInput, TodayAndYesterdayStartAtMidnightInTheZone) {
  EXPECT_EQ(at("today"), at("2026-11-20T00:00:00Z"));
  EXPECT_EQ(at("yesterday"), at("2026-11-19T00:00:00Z"));
  // Berlin's midnight is 23:00 UTC the day before.
  EXPECT_EQ(at("today", berlin()), at("2026-11-19T23:00:00Z"));
  EXPECT_EQ(at("yesterday", berlin()), at("2026-11-18T23:00:00Z"));
}

TEST(TimeInput, EpochSeconds) {
  EXPECT_EQ(at("1733400000"), 1733400000 * kSecond);
  // A short bare number is a duration missing its unit, and the error says so.
  auto short_number = parse_time_input("90", kNow, TimeZone::utc());
  ASSERT_FALSE(short_number.ok());
  EXPECT_NE(short_number.error().message.find("90m"), std::string::npos)
      << short_number.error().message;
}

TEST(TimeInput, DatesAndZonelessTimesAreInTheZone) {
  EXPECT_EQ(at("2026-11-20"), at("2026-11-20T00:00:00Z"));
  EXPECT_EQ(at("2026-11-20", berlin()), at("2026-11-19T23:00:00Z"));
  EXPECT_EQ(at("2026-11-20 09:00", berlin()), at("2026-11-20T08:00:00Z"));
  // Summer time: +02:00.
  EXPECT_EQ(at("2026-07-01T12:00:00", berlin()), at("2026-07-01T10:00:00Z"));
  // An explicit offset wins over the zone.
  EXPECT_EQ(at("2026-11-20T09:00:00Z", berlin()), at("2026-11-20T09:00:00Z"));
  EXPECT_EQ(at("2026-11-20T09:00:00-05:00", berlin()), at("2026-11-20T14:00:00Z"));
}

TEST(TimeInput, EveryErrorNamesEveryForm) {
  for (const char* text : {"", "noon", "the-day-before", "2026-13-01", "tomorrow"}) {
    auto parsed = parse_time_input(text, kNow, TimeZone::utc());
    ASSERT_FALSE(parsed.ok()) << text;
    for (const char* form : {"RFC 3339", "now-1h", "yesterday", "1733400000", "2026-11-20"})
      EXPECT_NE(parsed.error().message.find(form), std::string::npos) << parsed.error().message;
  }
}

TEST(TimeRange, AnInvertedRangeNamesBothTimes) {
  auto range = parse_time_range("2026-11-21", "2026-11-20", kNow, TimeZone::utc());
  ASSERT_FALSE(range.ok());
  const std::string& message = range.error().message;
  EXPECT_NE(message.find("--since 2026-11-21 (2026-11-21T00:00:00.000Z)"), std::string::npos)
      << message;
  EXPECT_NE(message.find("--until 2026-11-20 (2026-11-20T00:00:00.000Z)"), std::string::npos)
      << message;
  EXPECT_FALSE(parse_time_range("now", "now", kNow, TimeZone::utc()).ok());  // empty
  auto fine = parse_time_range("yesterday", "today", kNow, TimeZone::utc());
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->until_us - fine->since_us, 86400 * kSecond);
  auto open_ended = parse_time_range("2h", "", kNow, TimeZone::utc());
  ASSERT_TRUE(open_ended.ok());
  EXPECT_EQ(open_ended->until_us, 0);
}

TEST(TimeZone, FormatsWithTheOffsetOfTheInstant) {
  EXPECT_EQ(TimeZone::utc().format(kNow), "2026-11-20T09:30:00.000Z");
  EXPECT_EQ(berlin().format(kNow), "2026-11-20T10:30:00.000+01:00");
  EXPECT_EQ(berlin().format(at("2026-07-01T10:00:00Z")), "2026-07-01T12:00:00.000+02:00");
  auto new_york = TimeZone::named("America/New_York");
  ASSERT_TRUE(new_york.ok());
  EXPECT_EQ(new_york->format(kNow), "2026-11-20T04:30:00.000-05:00");
}

TEST(TimeZone, DaylightSavingEdges) {
  // 2026-03-29 02:30 does not exist in Berlin (02:00 -> 03:00): read as 01:30 UTC.
  EXPECT_EQ(at("2026-03-29 02:30", berlin()), at("2026-03-29T01:30:00Z"));
  // 2026-10-25 02:30 happens twice: the earlier, still summer time (+02:00).
  EXPECT_EQ(at("2026-10-25 02:30", berlin()), at("2026-10-25T00:30:00Z"));
}

TEST(TimeZone, UnknownNamesAreRefusedNotReadAsUtc) {
  auto zone = TimeZone::named("Europe/Berlinn");
  ASSERT_FALSE(zone.ok());
  EXPECT_NE(zone.error().message.find("Europe/Berlin or"), std::string::npos);
  EXPECT_FALSE(TimeZone::named("../../etc/passwd").ok());
  EXPECT_TRUE(TimeZone::named("UTC").ok());
  EXPECT_TRUE(TimeZone::named("local").ok());
}

}  // namespace
}  // namespace regwatch::cli
