// The built `regwatch` binary: help that teaches, clear errors and exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
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
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0) output.append(buffer.data(), n);
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
  auto since = run("events --since yesterday");
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

}  // namespace
