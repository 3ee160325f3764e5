// The log line formats (text, json, logfmt; in and out of the journal) and the journal detection
// (JOURNAL_STREAM against fd's device and inode), with real pipes and files.
#include "common/logging.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace regwatch {
namespace {

// 2026-12-06T13:48:02.123Z
const auto kTime = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796564882123));

LogLine line(std::string_view message, spdlog::level::level_enum level = spdlog::level::info) {
  return {kTime, level, "agent.syslog", message};
}

TEST(LogFormatTest, ParsesTheThreeNamesAndNothingElse) {
  EXPECT_EQ(parse_log_format("text"), LogFormat::kText);
  EXPECT_EQ(parse_log_format("json"), LogFormat::kJson);
  EXPECT_EQ(parse_log_format("logfmt"), LogFormat::kLogfmt);
  EXPECT_FALSE(parse_log_format("JSON"));
  EXPECT_FALSE(parse_log_format(""));
  EXPECT_FALSE(parse_log_format("syslog"));
}

TEST(LogFormatTest, TextKeepsTodaysPatternOutsideTheJournal) {
  EXPECT_EQ(render_log_line(line("listening"), LogFormat::kText, false),
            "2026-12-06T13:48:02.123Z info  [agent.syslog] listening");
}

TEST(LogFormatTest, TextInTheJournalHasPriorityAndNoTimestamp) {
  EXPECT_EQ(render_log_line(line("listening"), LogFormat::kText, true),
            "<6>info  [agent.syslog] listening");
  EXPECT_EQ(render_log_line(line("x", spdlog::level::warn), LogFormat::kText, true).substr(0, 3),
            "<4>");
}

TEST(LogFormatTest, PrioritiesFollowSdDaemon) {
  EXPECT_EQ(syslog_priority(spdlog::level::trace), 7);
  EXPECT_EQ(syslog_priority(spdlog::level::debug), 7);
  EXPECT_EQ(syslog_priority(spdlog::level::info), 6);
  EXPECT_EQ(syslog_priority(spdlog::level::warn), 4);
  EXPECT_EQ(syslog_priority(spdlog::level::err), 3);
  EXPECT_EQ(syslog_priority(spdlog::level::critical), 2);
}

TEST(LogFormatTest, JsonIsOneObjectWithTheFourFields) {
  const std::string out = render_log_line(line("listening on 0.0.0.0:514", spdlog::level::warn),
                                          LogFormat::kJson, false);
  EXPECT_EQ(out, R"({"ts":"2026-12-06T13:48:02.123Z","level":"warning","logger":"agent.syslog",)"
                 R"("msg":"listening on 0.0.0.0:514"})");
}

TEST(LogFormatTest, JsonEscapesQuotesNewlinesAndControlCharacters) {
  const std::string message = "a \"quoted\" \\path\nnext\tline\r\x01\x1f\x7f end";
  const std::string out = render_log_line(line(message), LogFormat::kJson, false);
  EXPECT_EQ(out.find('\n'), std::string::npos);
  EXPECT_NE(out.find(R"(a \"quoted\" \\path\nnext\tline\r\u0001\u001f\u007f end)"),
            std::string::npos)
      << out;
  // And a JSON parser reads the message back unchanged.
  EXPECT_EQ(nlohmann::json::parse(out).at("msg"), message);
}

TEST(LogFormatTest, JsonKeepsUtf8AndReplacesInvalidBytes) {
  const std::string message = "Zürich \xE2\x82\xAC \xF0\x9F\x93\x9E";  // ü, €, 📞
  EXPECT_EQ(
      nlohmann::json::parse(render_log_line(line(message), LogFormat::kJson, false)).at("msg"),
      message);
  // A stray continuation byte, a cut-short sequence, an overlong '/' and a surrogate.
  const std::string garbage = "a\x80z \xE2\x82 \xC0\xAF \xED\xA0\x80";
  const std::string out = render_log_line(line(garbage), LogFormat::kJson, false);
  EXPECT_NE(out.find(R"(a\ufffdz \ufffd\ufffd \ufffd\ufffd \ufffd\ufffd\ufffd)"), std::string::npos)
      << out;
  EXPECT_TRUE(nlohmann::json::accept(out));
}

TEST(LogFormatTest, JsonInTheJournalKeepsItsTimestampAfterThePriority) {
  const std::string out = render_log_line(line("x", spdlog::level::err), LogFormat::kJson, true);
  ASSERT_EQ(out.substr(0, 3), "<3>");
  EXPECT_EQ(nlohmann::json::parse(out.substr(3)).at("ts"), "2026-12-06T13:48:02.123Z");
}

TEST(LogFormatTest, LogfmtQuotesTheMessageAndEscapesIt) {
  EXPECT_EQ(render_log_line(line("listening on 0.0.0.0:514"), LogFormat::kLogfmt, false),
            R"(ts=2026-12-06T13:48:02.123Z level=info logger=agent.syslog )"
            R"(msg="listening on 0.0.0.0:514")");
  EXPECT_EQ(render_log_line(line("say \"hi\"\nthen=\\ \x02"), LogFormat::kLogfmt, false),
            R"(ts=2026-12-06T13:48:02.123Z level=info logger=agent.syslog )"
            R"(msg="say \"hi\"\nthen=\\ \u0002")");
  EXPECT_EQ(render_log_line(line(""), LogFormat::kLogfmt, false),
            R"(ts=2026-12-06T13:48:02.123Z level=info logger=agent.syslog msg="")");
}

TEST(LogFormatTest, LogfmtQuotesALoggerNameThatNeedsIt) {
  const LogLine odd{kTime, spdlog::level::debug, "a b=c", "m"};
  EXPECT_EQ(render_log_line(odd, LogFormat::kLogfmt, false),
            R"(ts=2026-12-06T13:48:02.123Z level=debug logger="a b=c" msg="m")");
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/regwatch-logging-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  static std::string stream_id(int fd) {
    struct stat st {};
    EXPECT_EQ(fstat(fd, &st), 0);
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  }
  std::filesystem::path dir_;
};

using JournalStreamTest = TempDir;

TEST_F(JournalStreamTest, MatchesOnlyTheStreamItNames) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const int file = open((dir_ / "log").c_str(), O_CREAT | O_WRONLY, 0600);
  ASSERT_GE(file, 0);
  const std::string pipe_id = stream_id(pipe_fds[1]);
  EXPECT_TRUE(is_journal_stream(pipe_fds[1], pipe_id.c_str()));
  // Another stream (a file the service's child writes to, with JOURNAL_STREAM inherited).
  EXPECT_FALSE(is_journal_stream(file, pipe_id.c_str()));
  EXPECT_TRUE(is_journal_stream(file, stream_id(file).c_str()));
  // Unset, malformed, or trailing junk.
  EXPECT_FALSE(is_journal_stream(pipe_fds[1], nullptr));
  EXPECT_FALSE(is_journal_stream(pipe_fds[1], ""));
  EXPECT_FALSE(is_journal_stream(pipe_fds[1], "12"));
  EXPECT_FALSE(is_journal_stream(pipe_fds[1], (pipe_id + "x").c_str()));
  EXPECT_FALSE(is_journal_stream(-1, pipe_id.c_str()));
  close(pipe_fds[0]);
  close(pipe_fds[1]);
  close(file);
}

// The whole path in a child process (its stderr, environment and loggers are its own): with
// JOURNAL_STREAM naming its stderr, component loggers write "<N>" lines without timestamps; a
// later set_log_format switches loggers created before it; set_log_level still filters.
std::string run_child_logging(const std::filesystem::path& file, bool journal) {
  const pid_t child = fork();
  if (child == 0) {
    const int fd = open(file.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(90);
    struct stat st {};
    fstat(STDERR_FILENO, &st);
    if (journal) {
      const std::string id = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
      setenv("JOURNAL_STREAM", id.c_str(), 1);
    } else {
      unsetenv("JOURNAL_STREAM");
    }
    auto early = component_logger("test.early");
    early->info("first");
    set_log_format(LogFormat::kJson);
    component_logger("test.late")->warn("second");
    early->error("third \"quoted\"");
    set_log_level("error");
    early->warn("filtered out");
    set_log_level("info");
    set_log_format(LogFormat::kLogfmt);
    early->info("fourth");
    early->flush();
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(JournalStreamTest, ComponentLoggersShareOneSinkAndFollowTheJournal) {
  const std::string out = run_child_logging(dir_ / "journal", true);
  std::istringstream lines(out);
  std::string first, second, third, fourth, extra;
  std::getline(lines, first);
  std::getline(lines, second);
  std::getline(lines, third);
  std::getline(lines, fourth);
  EXPECT_FALSE(std::getline(lines, extra)) << out;
  EXPECT_EQ(first, "<6>info  [test.early] first");
  ASSERT_EQ(second.substr(0, 3), "<4>") << second;
  EXPECT_EQ(nlohmann::json::parse(second.substr(3)).at("logger"), "test.late");
  ASSERT_EQ(third.substr(0, 3), "<3>") << third;
  EXPECT_EQ(nlohmann::json::parse(third.substr(3)).at("msg"), "third \"quoted\"");
  EXPECT_EQ(fourth.substr(0, 6), "<6>ts=") << fourth;
  EXPECT_NE(fourth.find(R"(logger=test.early msg="fourth")"), std::string::npos) << fourth;
}

TEST_F(JournalStreamTest, OutsideTheJournalTextKeepsItsTimestamp) {
  const std::string out = run_child_logging(dir_ / "plain", false);
  ASSERT_FALSE(out.empty());
  EXPECT_NE(out[0], '<') << out;
  EXPECT_NE(out.find("Z info  [test.early] first\n"), std::string::npos) << out;
  EXPECT_NE(out.find("{\"ts\":\""), std::string::npos) << out;
}

}  // namespace
}  // namespace regwatch
