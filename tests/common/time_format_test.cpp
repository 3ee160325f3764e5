#include "common/time_format.h"

#include <gtest/gtest.h>

namespace regwatch {
namespace {

TEST(TimeFormat, FormatsRfc3339WithMilliseconds) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  // 2015-07-02T06:22:31.454Z, the CUCM sample line's time.
  EXPECT_EQ(format_rfc3339_ms(1435818151454000), "2015-07-02T06:22:31.454Z");
  EXPECT_EQ(format_rfc3339_ms(951782400000000), "2000-02-29T00:00:00.000Z");
}

TEST(TimeFormat, ParsesRfc3339AndOffsets) {
  EXPECT_EQ(*parse_time_arg("2015-07-02T06:22:31.454Z", 0), 1435818151454000);
  EXPECT_EQ(*parse_time_arg("2015-07-02T08:22:31.454+02:00", 0), 1435818151454000);
  EXPECT_EQ(*parse_time_arg("2015-07-02", 0), 1435795200000000);
  EXPECT_EQ(*parse_time_arg("2015-07-02 06:22", 0), 1435818120000000);
}

TEST(TimeFormat, ParsesRelativeTimes) {
  const int64_t now = 1'000'000'000'000'000;
  EXPECT_EQ(*parse_time_arg("2h", now), now - 7200LL * 1'000'000);
  EXPECT_EQ(*parse_time_arg("7d", now), now - 7 * 86400LL * 1'000'000);
  EXPECT_EQ(*parse_time_arg("now", now), now);
}

TEST(TimeFormat, RejectsGarbageWithAClearMessage) {
  auto bad = parse_time_arg("yesterday", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("RFC 3339"), std::string::npos);
  EXPECT_FALSE(parse_time_arg("2015-13-02", 0).ok());
  EXPECT_FALSE(parse_time_arg("2015-02-30T00:00:00Z", 0).ok());
  EXPECT_FALSE(parse_duration("5x").ok());
}

// A silence's --until / --starts: a duration is from now, not ago ("--until 30m").
TEST(TimeFormat, RelativeTimesOfAnEndAreFromNow) {
  const int64_t now = 1'000'000'000'000'000;
  EXPECT_EQ(*parse_time_arg("30m", now, TimeDirection::kFromNow), now + 1800LL * 1'000'000);
  EXPECT_EQ(*parse_time_arg("7d", now, TimeDirection::kFromNow), now + 7 * 86400LL * 1'000'000);
  EXPECT_EQ(*parse_time_arg("90s", now, TimeDirection::kFromNow), now + 90LL * 1'000'000);
  EXPECT_EQ(*parse_time_arg("now", now, TimeDirection::kFromNow), now);
  // Absolute times mean the same either way.
  EXPECT_EQ(*parse_time_arg("2015-07-02T06:22:31.454Z", now, TimeDirection::kFromNow),
            1435818151454000);
  // And a query's --since stays "ago".
  EXPECT_EQ(*parse_time_arg("30m", now, TimeDirection::kAgo), now - 1800LL * 1'000'000);
}

// Whatever went wrong, the message lists every accepted form, so the operator's next try works.
TEST(TimeFormat, EveryErrorNamesTheAcceptedForms) {
  for (const char* bad : {"yesterday", "30x", "2026-11-20T25:00:00Z", "2026-13-01", "", "-5m",
                          "2026-11-20T09:00:00Q", "tomorrow 9am"}) {
    for (auto direction : {TimeDirection::kAgo, TimeDirection::kFromNow}) {
      auto parsed = parse_time_arg(bad, 0, direction);
      ASSERT_FALSE(parsed.ok()) << bad;
      const std::string& m = parsed.error().message;
      EXPECT_NE(m.find("RFC 3339"), std::string::npos) << m;
      EXPECT_NE(m.find("2026-11-20T09:00:00Z"), std::string::npos) << m;
      EXPECT_NE(m.find("90s, 30m, 2h, 7d"), std::string::npos) << m;
      EXPECT_NE(m.find("now"), std::string::npos) << m;
      EXPECT_NE(m.find(direction == TimeDirection::kAgo ? "ago" : "from now"), std::string::npos)
          << m;
    }
  }
  auto duration = parse_duration("2x");
  ASSERT_FALSE(duration.ok());
  EXPECT_NE(duration.error().message.find("90s, 30m, 2h, 7d"), std::string::npos);
}

// Found by http_request_fuzz under UBSan: "24444444444h" overflowed int64 microseconds.
TEST(TimeFormat, DurationsPastTheBoundAreRefusedNotOverflowed) {
  EXPECT_EQ(*parse_duration("36500d"), kMaxDurationSeconds * 1'000'000);
  for (const char* too_long : {"36501d", "24444444444h", "9999999999w", "99999999999s"}) {
    auto d = parse_duration(too_long);
    ASSERT_FALSE(d.ok()) << too_long;
    EXPECT_EQ(d.error().code, "duration_too_long");
    EXPECT_NE(d.error().message.find("36500d"), std::string::npos) << d.error().message;
  }
  const int64_t now = 1'795'000'000'000'000;
  auto ago = parse_time_arg("9999999999w", now);
  ASSERT_FALSE(ago.ok());
  EXPECT_NE(ago.error().message.find("longer than"), std::string::npos) << ago.error().message;
}

}  // namespace
}  // namespace regwatch
