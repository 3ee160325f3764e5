// The built `regwatch` binary: help that teaches, clear errors and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace {

struct Run {
  int code;
  std::string output;
};

Run run(const std::string& args) {
  const std::string command = std::string(REGWATCH_BINARY_DIR) + "/cli/regwatch " + args + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string output;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0)
    output.append(buffer.data(), n);
  const int status = pclose(pipe.release());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(CliBinary, HelpTeachesWithExamples) {
  auto help = run("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.output.find("regwatch timeline SEP0017943A98BA"), std::string::npos);
  auto events = run("events --help");
  EXPECT_EQ(events.code, 0);
  EXPECT_NE(events.output.find("--kind phone_unregistered"), std::string::npos);
  EXPECT_NE(events.output.find("heartbeat_low"), std::string::npos);  // lists the kinds
  EXPECT_NE(events.output.find("phone_firmware_changed"), std::string::npos);
  EXPECT_NE(events.output.find("--source"), std::string::npos);  // and the inputs
  EXPECT_NE(events.output.find("sccp, agent, boot, sip"), std::string::npos) << events.output;
}

TEST(CliBinary, UnreachableCollectorIsExitTwoWithAHint) {
  auto r = run("--collector 127.0.0.1:1 --timeout 3 events");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("cannot reach the collector at 127.0.0.1:1"), std::string::npos);
  EXPECT_NE(r.output.find("is regwatch-collector running?"), std::string::npos);
}

TEST(CliBinary, BadArgumentsAreExitOneWithTheReason) {
  auto kind = run("events --kind phone_exploded");
  EXPECT_EQ(kind.code, 1);
  EXPECT_NE(kind.output.find("unknown kind 'phone_exploded'"), std::string::npos);
  EXPECT_NE(kind.output.find("phone_unregistered"), std::string::npos);
  auto source = run("events --source fax");
  EXPECT_EQ(source.code, 1);
  EXPECT_NE(source.output.find("unknown source 'fax'"), std::string::npos) << source.output;
  EXPECT_NE(source.output.find("sip"), std::string::npos);
  auto since = run("events --since the-day-before");
  EXPECT_EQ(since.code, 1);
  EXPECT_NE(since.output.find("--since"), std::string::npos);
  auto reason = run("events --reason NoSuchReason");
  EXPECT_EQ(reason.code, 1);
  auto format = run("events --format xml");
  EXPECT_EQ(format.code, 1);
}

TEST(CliBinary, PlaintextToANonLoopbackCollectorIsRefused) {
  auto r = run("--collector 192.0.2.10:7443 events");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.output.find("--tls-ca"), std::string::npos);
}

// Nothing listens on port 1: a command that gets past its argument checks ends in exit 2.
constexpr const char* kNoCollector = "--collector 127.0.0.1:1 --timeout 3 ";

TEST(CliBinary, SilenceUntilADurationIsFromNow) {
  // "--until 30m" means thirty minutes from now: accepted, so the CLI goes on to the collector.
  auto r = run(std::string(kNoCollector) +
               "silence add --match scope=ucm-sub1 --until 30m --comment CHG1");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("cannot reach the collector"), std::string::npos) << r.output;
  auto starts = run(std::string(kNoCollector) +
                    "silence add --match scope=ucm-sub1 --starts 1h --for 2h --comment CHG1");
  EXPECT_EQ(starts.code, 2) << starts.output;
  // An end before the start is the operator's mistake, told before any call.
  auto backwards = run(std::string(kNoCollector) +
                       "silence add --match scope=ucm-sub1 --starts 2h --until 1h --comment CHG1");
  EXPECT_EQ(backwards.code, 1) << backwards.output;
  EXPECT_NE(backwards.output.find("ends before it starts"), std::string::npos) << backwards.output;
}

TEST(CliBinary, EveryTimeArgumentErrorNamesTheAcceptedForms) {
  for (const char* args :
       {"events --since the-day-before", "events --until noon", "events --since 90",
        "incidents --since 3x", "top --since last-week", "where SEP0017943A98BA --at teatime",
        "explain SEP0017943A98BA --at teatime", "alerts --all --since soon",
        "silence add --match scope=a --until tomorrow --comment c",
        "silence add --match scope=a --starts later --for 1h --comment c",
        "silence add --match scope=a --for forever --comment c"}) {
    auto r = run(std::string(kNoCollector) + args);
    EXPECT_EQ(r.code, 1) << args << ": " << r.output;
    EXPECT_NE(r.output.find("90s, 30m, 2h, 7d"), std::string::npos) << args << ": " << r.output;
    if (std::string(args).find("--for ") == std::string::npos) {
      EXPECT_NE(r.output.find("RFC 3339 (2026-11-20T09:00:00Z)"), std::string::npos)
          << args << ": " << r.output;
    }
  }
}

TEST(CliBinary, SilenceMatchersAreAlertmanagers) {
  // amtool's forms are accepted (quotes optional), so these reach the (absent) collector.
  for (const char* match : {"'scope=~\"ucm-.*\"'", "severity!=warning", "'cause!~\"cm_.*\"'",
                            "'alertname=\"CallManagerDown\"'", "scope=ucm-sub1"}) {
    auto r = run(std::string(kNoCollector) + "silence add --match " + match +
                 " --match alertname=RegistrationBurst --for 1h --comment CHG1");
    EXPECT_EQ(r.code, 2) << match << ": " << r.output;
  }
  auto bad_regex = run(std::string(kNoCollector) +
                       "silence add --match 'scope=~\"ucm-(\"' --for 1h --comment CHG1");
  EXPECT_EQ(bad_regex.code, 1) << bad_regex.output;
  EXPECT_NE(bad_regex.output.find("regular expression"), std::string::npos) << bad_regex.output;
  auto no_operator =
      run(std::string(kNoCollector) + "silence add --match scope --for 1h --comment c");
  EXPECT_EQ(no_operator.code, 1) << no_operator.output;
  EXPECT_NE(no_operator.output.find("=~"), std::string::npos) << no_operator.output;
  // Matchers that all match an empty label would silence every alert: refused as Alertmanager does.
  auto everything =
      run(std::string(kNoCollector) + "silence add --match 'scope=~\".*\"' --for 1h --comment c");
  EXPECT_EQ(everything.code, 1) << everything.output;
  EXPECT_NE(everything.output.find("empty"), std::string::npos) << everything.output;
}

TEST(CliBinary, SilenceHelpShowsAmtoolStyleExamples) {
  auto help = run("silence add --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.output.find("=~"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("--until 30m"), std::string::npos) << help.output;
}

TEST(CliBinary, ParseErrorsOfCli11AreUsageErrorsAndHelpShowsExitCodes) {
  // CLI11 numbers its own errors (105 extras, 106 validation, ...): scripts see our 1.
  for (const char* args : {"events --bogus", "--timeout abc events", "incidents --state nope",
                           "events stray-argument", "", "nosuchcommand"}) {
    auto r = run(args);
    EXPECT_EQ(r.code, 1) << args << ": " << r.output;
  }
  auto help = run("--help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.output.find("Exit codes: 0 ok; 1 usage"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("--follow"), std::string::npos);
  EXPECT_NE(help.output.find("cli.yaml"), std::string::npos);
  auto events_help = run("events --help");
  EXPECT_EQ(events_help.code, 0);
  EXPECT_NE(events_help.output.find("With --follow: 0 after Ctrl-C"), std::string::npos);
  EXPECT_EQ(run("--version").code, 0);
}

TEST(CliBinary, AnInvertedRangeIsAUsageErrorNamingBothTimes) {
  auto r = run(std::string(kNoCollector) + "events --since 2026-11-21 --until 2026-11-20");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("--since 2026-11-21"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--until 2026-11-20"), std::string::npos) << r.output;
  auto incidents = run(std::string(kNoCollector) + "incidents --since now --until yesterday");
  EXPECT_EQ(incidents.code, 1) << incidents.output;
  // The new forms get through to the (absent) collector.
  auto fine =
      run(std::string(kNoCollector) + "--tz Europe/Berlin events --since yesterday --until now-1h");
  EXPECT_EQ(fine.code, 2) << fine.output;
}

TEST(CliBinary, FollowPrintsTableOrJsonlOnly) {
  for (const char* format : {"json", "csv"}) {
    auto r = run(std::string(kNoCollector) + "events --follow --format " + format);
    EXPECT_EQ(r.code, 1) << r.output;
    EXPECT_NE(r.output.find("jsonl"), std::string::npos) << r.output;
  }
  EXPECT_EQ(run(std::string(kNoCollector) + "events --follow --until now").code, 1);
  EXPECT_EQ(run(std::string(kNoCollector) + "incidents --follow --format csv").code, 1);
}

// Settings from files and the environment, in a temp HOME so the machine's own files do not
// count (a system file in /etc/regwatch would; the tests pass --config or set it aside).
class CliSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("regwatch-cli-settings-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "xdg" / "regwatch");
    for (const char* name :
         {"REGWATCH_CONFIG", "REGWATCH_COLLECTOR", "REGWATCH_TOKEN", "REGWATCH_TOKEN_FILE"})
      ::unsetenv(name);
    ::setenv("XDG_CONFIG_HOME", (dir_ / "xdg").c_str(), 1);
  }
  void TearDown() override {
    for (const char* name : {"REGWATCH_CONFIG", "REGWATCH_COLLECTOR", "XDG_CONFIG_HOME"})
      ::unsetenv(name);
    std::filesystem::remove_all(dir_);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::filesystem::path dir_;
};

TEST_F(CliSettingsTest, FlagOverEnvironmentOverUserFile) {
  write("xdg/regwatch/cli.yaml", "collector: 127.0.0.1:1\ntimeout: 2\n");
  auto from_file = run("events");
  EXPECT_EQ(from_file.code, 2) << from_file.output;
  EXPECT_NE(from_file.output.find("127.0.0.1:1"), std::string::npos) << from_file.output;
  ::setenv("REGWATCH_COLLECTOR", "127.0.0.1:2", 1);
  auto from_env = run("events");
  EXPECT_NE(from_env.output.find("127.0.0.1:2"), std::string::npos) << from_env.output;
  auto from_flag = run("--collector 127.0.0.1:3 events");
  EXPECT_NE(from_flag.output.find("127.0.0.1:3"), std::string::npos) << from_flag.output;
  // --config reads only that file: the user file's collector no longer counts.
  ::unsetenv("REGWATCH_COLLECTOR");
  const std::string only = write("only.yaml", "collector: 127.0.0.1:4\ntimeout: 2\n");
  auto explicit_file = run("--config " + only + " events");
  EXPECT_NE(explicit_file.output.find("127.0.0.1:4"), std::string::npos) << explicit_file.output;
  ::setenv("REGWATCH_CONFIG", only.c_str(), 1);
  EXPECT_NE(run("events").output.find("127.0.0.1:4"), std::string::npos);
}

TEST_F(CliSettingsTest, ABrokenFileIsAUsageErrorWithFileAndLine) {
  const std::string broken = write("broken.yaml", "collector: 127.0.0.1:1\ntimeot: 2\n");
  auto r = run("--config " + broken + " events");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(broken + ":2:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("timeout"), std::string::npos) << r.output;  // did you mean
  auto missing = run("--config " + (dir_ / "absent.yaml").string() + " events");
  EXPECT_EQ(missing.code, 1) << missing.output;
  EXPECT_NE(missing.output.find("absent.yaml"), std::string::npos) << missing.output;
}

TEST_F(CliSettingsTest, TokenFileFromTheConfigIsRead) {
  const std::string token = write("token", "s3cret\n");
  std::filesystem::permissions(
      token, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const std::string config =
      write("c.yaml", "collector: 127.0.0.1:1\ntimeout: 2\ntoken_file: " + token + "\n");
  auto r = run("--config " + config + " events");
  EXPECT_EQ(r.code, 2) << r.output;  // read fine; on to the (absent) collector
  EXPECT_EQ(r.output.find("warning"), std::string::npos) << r.output;
  std::filesystem::permissions(token, std::filesystem::perms::others_read,
                               std::filesystem::perm_options::add);
  auto open = run("--config " + config + " events");
  EXPECT_NE(open.output.find("chmod o-r"), std::string::npos) << open.output;
  auto absent = run("--config " + config + " --token-file " + (dir_ / "nope").string() + " events");
  EXPECT_EQ(absent.code, 1) << absent.output;
  EXPECT_NE(absent.output.find("nope"), std::string::npos) << absent.output;
  EXPECT_EQ(run("--token a --token-file " + token + " events").code, 1);
}

}  // namespace
