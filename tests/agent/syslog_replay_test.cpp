// --replay-syslog's time rules on a real archive file: lines without a year
// take it from neighbouring lines that state one; the receiver's prefix is the
// event time where the device's clock is untrusted; a line with no time at all
// gets the receive time, never a neighbour's.
#include "agent/app/syslog_replay.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "common/time_format.h"

namespace regwatch::agent {
namespace {

namespace fs = std::filesystem;

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-replay-XXXXXX";
    dir_ = mkdtemp(templ);
    spool::SpoolOptions options;
    options.dir = dir_ / "spool";
    options.fsync_interval = std::chrono::milliseconds(0);
    spool_ = std::move(spool::Spool::open(options, "replay-test", clock_)).value();
  }
  void TearDown() override {
    spool_.reset();
    fs::remove_all(dir_);
  }
  std::vector<v1::Event> replay(const std::string& text) {
    const auto path = dir_ / "archive.log";
    std::ofstream(path) << text;
    LinePipeline pipeline(*spool_);
    auto result = replay_syslog_file(path.string(), pipeline, ReplayOptions{}, clock_);
    EXPECT_TRUE(result.ok());
    return spool_->read_after(0, 1000, 1 << 20);
  }
  ManualClock clock_{*parse_time_arg("2026-11-23T12:00:00Z", 0)};
  fs::path dir_;
  std::unique_ptr<spool::Spool> spool_;
};

TEST_F(ReplayTest, YearComesFromTheNeighbouringCucmLine) {
  auto events = replay(
      "Dec 31 23:59:58 sw1 12: Dec 31 23:59:58.100: %LINK-3-UPDOWN: Interface Gi1/0/1, changed "
      "state to down\n"
      "Jan  1 00:00:03 ucm local7 3 : 9: ucm Jan 01 2019 00:00:03.000 UTC :  "
      "%UC_CALLMANAGER-3-EndPointUnregistered: "
      "%[DeviceName=SEP0017943A98BA][Reason=13]: An endpoint has unregistered\n"
      "Jan  1 00:00:09 sw1 13: Jan  1 00:00:09.200: %LINK-3-UPDOWN: Interface Gi1/0/1, changed "
      "state to up\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(format_rfc3339_ms(events[0].event_time_us()), "2018-12-31T23:59:58.100Z");
  EXPECT_EQ(format_rfc3339_ms(events[1].event_time_us()), "2019-01-01T00:00:03.000Z");
  EXPECT_EQ(format_rfc3339_ms(events[2].event_time_us()), "2019-01-01T00:00:09.200Z");
  EXPECT_TRUE(events[0].time_info().year_inferred());
  EXPECT_FALSE(events[1].time_info().year_inferred());
  EXPECT_EQ(events[1].receive_time_us(), clock_.now_us());
}

TEST_F(ReplayTest, WithoutAnyYearTheFileDateDecides) {
  const auto path = dir_ / "old.log";
  std::ofstream(path) << "Mar  3 10:00:00 sw1 5: Mar  3 10:00:00.000: %LINK-3-UPDOWN: Interface "
                         "Gi1/0/2, changed state to down\n";
  // The archive was last written in May 2024.
  fs::last_write_time(path, fs::file_time_type::clock::now() -
                                std::chrono::hours(24 * (365 * 2 + 203)));  // ~2024-05
  LinePipeline pipeline(*spool_);
  ASSERT_TRUE(replay_syslog_file(path.string(), pipeline, ReplayOptions{}, clock_).ok());
  auto events = spool_->read_after(0, 10, 1 << 20);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(format_rfc3339_ms(events[0].event_time_us()).substr(0, 10), "2024-03-03");
}

TEST_F(ReplayTest, UntrustedDeviceClockTakesThePrefixTime) {
  auto events = replay(
      "Nov 20 09:20:01 sw-3f 5530: *Mar  1 00:03:12.044: %ILPOWER-5-IEEE_DISCONNECT: "
      "Interface Gi2/0/30: PD removed\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(format_rfc3339_ms(events[0].event_time_us()), "2026-11-20T09:20:01.000Z");
  EXPECT_TRUE(events[0].time_info().device_time_untrusted());
  EXPECT_EQ(events[0].kind(), v1::POE_REMOVED);
}

// Issue 21: a line without a time of its own never takes its neighbour's; it gets the replay's
// receive time, flagged, and the year of the lines after it still comes from the archive.
TEST_F(ReplayTest, ALineWithoutTimeGetsTheReceiveTimeNotItsNeighbours) {
  auto events = replay(
      "<189>1: sw1: Jan 01 2019 00:00:03.000 UTC: %SYS-5-CONFIG_I: Configured from console\n"
      "<190>123030: sw1: %SYS-5-LOGGINGHOST_STARTSTOP: Logging to host 192.0.2.9 stopped\n"
      "<189>2: sw1: Jan  1 00:00:09.200: %SYS-5-CONFIG_I: Configured from console\n");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].event_time_us(), clock_.now_us());
  EXPECT_TRUE(events[1].time_info().device_time_untrusted());
  EXPECT_EQ(format_rfc3339_ms(events[2].event_time_us()), "2019-01-01T00:00:09.200Z");
}

TEST_F(ReplayTest, CountsWhatHappenedToEveryLine) {
  const auto path = dir_ / "mixed.log";
  std::ofstream(path) << "garbage that is no syslog\n"
                      << "<13>Nov 23 10:00:00 h t: \xff bad utf8\n"
                      << "\n";
  LinePipeline pipeline(*spool_);
  auto result = replay_syslog_file(path.string(), pipeline, ReplayOptions{}, clock_);
  ASSERT_TRUE(result.ok());
  const auto counts = pipeline.counts();
  EXPECT_EQ(counts.lines, 2u);  // the empty line is skipped
  EXPECT_EQ(counts.events, 2u);
  EXPECT_EQ(counts.unrecognised, 1u);
  EXPECT_EQ(counts.with_anomalies, 2u);
  EXPECT_EQ(counts.anomalies.at("invalid_utf8"), 1u);
  EXPECT_FALSE(
      replay_syslog_file((dir_ / "missing.log").string(), pipeline, ReplayOptions{}, clock_).ok());
}

TEST_F(ReplayTest, AnEndlessLineIsCutAtTheLimitAndTheLinesAfterItKept) {
  // 5 MiB without a newline, then a line, then a last line without one: read in bounded
  // memory, the long one kept cut (and flagged), none lost.
  const auto path = dir_ / "long.log";
  {
    std::ofstream out(path, std::ios::binary);
    out << "<13>Nov 23 10:00:00 h t: " << std::string(5 << 20, 'x') << "\n";
    out << "<13>Nov 23 10:00:01 h t: after\n";
    out << "<13>Nov 23 10:00:02 h t: last, no newline";
  }
  LinePipeline pipeline(*spool_);
  auto result = replay_syslog_file(path.string(), pipeline, ReplayOptions{}, clock_);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->lines, 3u);
  const auto events = spool_->read_after(0, 1000, 64 << 20);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_LE(events[0].raw().size(), syslog::kMaxLineBytes + 1);
  EXPECT_NE(events[1].raw().find("after"), std::string::npos);
  EXPECT_NE(events[2].raw().find("last, no newline"), std::string::npos);
  EXPECT_EQ(pipeline.counts().anomalies.count("line_truncated"), 1u);
}

TEST_F(ReplayTest, AStopRequestEndsTheReplayMidFile) {
  const auto path = dir_ / "big.log";
  {
    std::ofstream out(path);
    for (int n = 0; n < 5000; ++n) out << "<13>Nov 23 10:00:00 h t: line " << n << "\n";
  }
  LinePipeline pipeline(*spool_);
  ReplayOptions options;
  int asked = 0;
  options.stop_requested = [&] { return ++asked == 3; };  // SIGTERM during the third stretch
  auto result = replay_syslog_file(path.string(), pipeline, options, clock_);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result->lines, 512u);  // asked every 256 lines
}

}  // namespace
}  // namespace regwatch::agent
