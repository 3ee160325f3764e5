// Ingest through the real path, against a baseline measured in the same run.
//
// Real path: regwatch-agent --replay-syslog FILE -> spool -> gRPC -> collector ->
// SQLite, timed until the agent has every ack (durable: acks follow commits).
// Baseline: the same rows put into the same table and indexes with a bare
// batched SQLite insert (bench/ingest/bare_insert, the writer's statement), no agent, no
// network. Prints events/s for both and their ratio (target >= 0.5), and the
// absolute rate (target >= 100,000 events/s on the 2-core reference machine).
//
// Usage: ingest_bench [--lines N] [--build-dir DIR]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/app/replay_identity.h"
#include "agent/syslog/syslog_parser.h"
#include "bench/ingest/bare_insert.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string archive_line(size_t i) {
  const size_t ms = i * 10;
  const size_t s = ms / 1000;
  char time[32];
  std::snprintf(time, sizeof time, "%02zu:%02zu:%02zu", 9 + s / 3600, s / 60 % 60, s % 60);
  char line[512];
  std::snprintf(
      line, sizeof line,
      "Nov 20 %s ucm-sub1 local7 3 : %zu: ucm-sub1 Nov 20 2026 %s.%03zu UTC :  "
      "%%UC_CALLMANAGER-3-EndPointUnregistered: %%[DeviceName=SEP%012zX][IPAddress=10.1.%zu.%zu]"
      "[Protocol=SCCP][DeviceType=115][Reason=13][AppID=Cisco CallManager][ClusterID=PROD]"
      "[NodeID=ucm-sub1]: An endpoint has unregistered",
      time, i + 1, time, ms % 1000, i, i / 250 % 250, i % 250);
  return line;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& stdout_path) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, (stdout_path + ".err").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

std::string wait_for_listen_line(const std::string& path) {
  for (int i = 0; i < 600; ++i) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      auto at = line.find("listening on ");
      if (at != std::string::npos) return line.substr(at + 13);
    }
    usleep(50'000);  // polling a file another process writes; bounded (30 s)
  }
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  size_t lines = 200'000;
  std::string build_dir = REGWATCH_BINARY_DIR;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--lines") == 0) lines = std::stoul(argv[i + 1]);
    if (std::strcmp(argv[i], "--build-dir") == 0) build_dir = argv[i + 1];
  }
  const fs::path dir =
      fs::temp_directory_path() / ("regwatch-ingest-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string archive = (dir / "archive.log").string();
  {
    std::ofstream out(archive);
    for (size_t i = 0; i < lines; ++i) out << archive_line(i) << '\n';
  }

  // Real path.
  const pid_t collector =
      spawn({build_dir + "/collector/regwatch-collector", "--listen", "127.0.0.1:0", "--db",
             (dir / "real.db").string(), "--log-level", "warn"},
            (dir / "collector.out").string());
  const std::string address = wait_for_listen_line((dir / "collector.out").string());
  if (collector <= 0 || address.empty()) {
    std::fprintf(stderr, "cannot start the collector (see %s)\n", dir.c_str());
    return 1;
  }
  const auto real_start = Clock::now();
  // Replayed under the baseline's agent id, so both store the same keys (the
  // replay's incarnation is the one the baseline binds).
  const pid_t agent =
      spawn({build_dir + "/agent/regwatch-agent", "--agent-id", "bench", "--collector", address,
             "--spool-dir", (dir / "spool").string(), "--replay-syslog", archive,
             "--replay-agent-id", "bench", "--log-level", "warn"},
            (dir / "agent.out").string());
  int status = 0;
  waitpid(agent, &status, 0);
  const double real_s = std::chrono::duration<double>(Clock::now() - real_start).count();
  kill(collector, SIGTERM);
  waitpid(collector, nullptr, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "agent replay failed (see %s)\n", dir.c_str());
    return 1;
  }

  // Baseline: the same rows, parsed beforehand, into a bare batched insert.
  std::vector<regwatch::v1::Event> events;
  events.reserve(lines);
  {
    std::ifstream in(archive);
    std::string line;
    regwatch::agent::syslog::LineContext context;
    context.reference_time_us = 1'763'630'000'000'000;
    uint64_t seq = 0;
    while (std::getline(in, line)) {
      auto parsed = regwatch::agent::syslog::parse_syslog_line(line, context);
      parsed.event.set_agent_id("bench");
      parsed.event.set_seq(++seq);
      events.push_back(std::move(parsed.event));
    }
  }
  const auto bare_start = Clock::now();
  auto bare = regwatch::bench::bare_batched_insert((dir / "bare.db").string(), events, 1000,
                                                   regwatch::agent::kReplaySpoolIncarnation);
  const double bare_s = std::chrono::duration<double>(Clock::now() - bare_start).count();
  if (!bare.ok()) {
    std::fprintf(stderr, "bare insert failed: %s\n", bare.error().message.c_str());
    return 1;
  }

  // The same, committed without syncing (synchronous=NORMAL, what the collector did before its
  // acks had to be durable): what durability costs the baseline.
  const auto fast_start = Clock::now();
  auto fast = regwatch::bench::bare_batched_insert((dir / "bare-not-durable.db").string(), events,
                                                   1000, regwatch::agent::kReplaySpoolIncarnation,
                                                   regwatch::bench::Durability::kNotDurable);
  const double fast_s = std::chrono::duration<double>(Clock::now() - fast_start).count();
  if (!fast.ok()) {
    std::fprintf(stderr, "bare insert failed: %s\n", fast.error().message.c_str());
    return 1;
  }

  const double real_rate = static_cast<double>(lines) / real_s;
  const double bare_rate = static_cast<double>(lines) / bare_s;
  const double fast_rate = static_cast<double>(lines) / fast_s;
  std::printf("ingest_bench: %zu events\n", lines);
  std::printf(
      "  real path (agent replay -> gRPC -> collector -> SQLite, durable acks): %.2f s, %.0f "
      "events/s\n",
      real_s, real_rate);
  std::printf(
      "  baseline (bare batched SQLite insert of the same rows, durable):   %.2f s, %.0f rows/s\n",
      bare_s, bare_rate);
  std::printf(
      "  the same not durable (synchronous=NORMAL):                         %.2f s, %.0f rows/s"
      " (durability costs the baseline %.0f %%)\n",
      fast_s, fast_rate, 100.0 * (1.0 - bare_rate / fast_rate));
  std::printf("  ratio real/baseline: %.2f (target >= 0.50)\n", real_rate / bare_rate);
  std::printf("  absolute: %s the 100,000 events/s target\n",
              real_rate >= 100'000 ? "meets" : "MISSES");
  fs::remove_all(dir);
  return 0;
}
