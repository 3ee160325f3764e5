#include "bench/ingest/replay_run.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "agent/syslog/syslog_parser.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): posix_spawn's environment

namespace regwatch::bench {
namespace {

pid_t spawn(const std::vector<std::string>& args, const std::string& stdout_path) {
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
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

void write_archive(const std::string& path, size_t lines) {
  std::ofstream out(path);
  for (size_t i = 0; i < lines; ++i) out << archive_line(i) << '\n';
}

std::vector<regwatch::v1::Event> parse_archive(const std::string& path,
                                               const std::string& agent_id) {
  std::vector<regwatch::v1::Event> events;
  std::ifstream in(path);
  std::string line;
  regwatch::agent::syslog::LineContext context;
  context.reference_time_us = 1'763'630'000'000'000;
  uint64_t seq = 0;
  while (std::getline(in, line)) {
    auto parsed = regwatch::agent::syslog::parse_syslog_line(line, context);
    parsed.event.set_agent_id(agent_id);
    parsed.event.set_seq(++seq);
    events.push_back(std::move(parsed.event));
  }
  return events;
}

Collector start_collector(const std::string& build_dir, const std::string& db,
                          const std::string& dir, const std::string& name) {
  const std::string out = dir + "/" + name + ".out";
  Collector collector;
  collector.pid = spawn({build_dir + "/collector/regwatch-collector", "--listen", "127.0.0.1:0",
                         "--db", db, "--log-level", "warn"},
                        out);
  if (collector.pid > 0) collector.address = wait_for_listen_line(out);
  return collector;
}

void stop_collector(Collector& collector) {
  if (collector.pid <= 0) return;
  kill(collector.pid, SIGTERM);
  collector.cpu_seconds = wait_end(collector.pid).cpu_seconds;
  collector.pid = -1;
}

pid_t start_replay(const std::string& build_dir, const std::string& address,
                   const std::string& archive, const std::string& replay_agent_id,
                   const std::string& dir, const std::string& name) {
  // Replayed under the baselines' agent id, so both store the same keys (the replay's
  // incarnation is the one the baselines bind).
  return spawn({build_dir + "/agent/regwatch-agent", "--agent-id", replay_agent_id, "--collector",
                address, "--spool-dir", dir + "/" + name + ".spool", "--replay-syslog", archive,
                "--replay-agent-id", replay_agent_id, "--log-level", "warn"},
               dir + "/" + name + ".out");
}

ProcessEnd wait_end(pid_t pid) {
  if (pid <= 0) return {};
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) return {};
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return {WIFEXITED(status) && WEXITSTATUS(status) == 0,
          seconds(usage.ru_utime) + seconds(usage.ru_stime)};
}

}  // namespace regwatch::bench
