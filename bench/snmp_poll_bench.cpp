// One polling round over many SNMP targets (default 500, served by one
// snmpsimd), through the agent's real pollers and scheduler, side by side
// with net-snmp's snmpbulkwalk doing the same walks one after another in the
// same run. Reports the round's wall time against the 60 s interval, the
// agent's CPU time and peak RSS, and the ratio to the sequential baseline.
// Usage: snmp_poll_bench [--targets N] [--interfaces M] [--workers W]
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "agent/snmp/poll_scheduler.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using namespace regwatch::agent::snmp;
using SteadyClock = std::chrono::steady_clock;

const char* kColumns[] = {
    "1.3.6.1.2.1.25.3.3.1.2",  "1.3.6.1.2.1.31.1.1.1.1", "1.3.6.1.2.1.31.1.1.1.18",
    "1.3.6.1.2.1.2.2.1.8",     "1.3.6.1.2.1.2.2.1.14",   "1.3.6.1.2.1.2.2.1.20",
    "1.3.6.1.2.1.2.2.1.13",    "1.3.6.1.2.1.2.2.1.19",   "1.3.6.1.2.1.31.1.1.1.6",
    "1.3.6.1.2.1.31.1.1.1.10", "1.3.6.1.2.1.10.7.2.1.3"};

int run(std::vector<std::string> args, bool quiet = true) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (quiet) {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  }
  pid_t pid = 0;
  if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) return -1;
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  int targets = 500, interfaces = 24, workers = 16;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--targets") == 0) targets = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--interfaces") == 0) interfaces = std::stoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--workers") == 0) workers = std::stoi(argv[i + 1]);
  }
  const fs::path dir =
      fs::temp_directory_path() / ("regwatch-snmp-bench-" + std::to_string(getpid()));
  fs::create_directories(dir / "data");
  fs::create_directories(dir / "cache");
  chmod(dir.c_str(), 0755);
  chmod((dir / "data").c_str(), 0755);
  chmod((dir / "cache").c_str(), 0777);
  for (int t = 0; t < targets; ++t) {
    std::ofstream out(dir / "data" / ("t" + std::to_string(t) + ".snmprec"));
    // snmprec files must be sorted by OID.
    std::vector<std::pair<std::string, std::string>> rows;
    rows.push_back({"1.3.6.1.2.1.1.3.0", "67|" + std::to_string(1000 + t)});
    for (int cpu = 1; cpu <= 2; ++cpu) {
      rows.push_back({"1.3.6.1.2.1.25.3.3.1.2." + std::to_string(cpu),
                      "2|" + std::to_string((t + cpu) % 100)});
    }
    for (int i = 1; i <= interfaces; ++i) {
      const std::string n = std::to_string(i);
      rows.push_back({"1.3.6.1.2.1.10.7.2.1.3." + n, "65|" + std::to_string(i)});
      rows.push_back({"1.3.6.1.2.1.2.2.1.13." + n, "65|0"});
      rows.push_back({"1.3.6.1.2.1.2.2.1.14." + n, "65|" + std::to_string(i * 3)});
      rows.push_back({"1.3.6.1.2.1.2.2.1.19." + n, "65|0"});
      rows.push_back({"1.3.6.1.2.1.2.2.1.20." + n, "65|0"});
      rows.push_back({"1.3.6.1.2.1.2.2.1.8." + n, "2|1"});
      rows.push_back({"1.3.6.1.2.1.31.1.1.1.1." + n, "4|Gi1/0/" + n});
      rows.push_back({"1.3.6.1.2.1.31.1.1.1.10." + n, "70|" + std::to_string(1000000 * i)});
      rows.push_back({"1.3.6.1.2.1.31.1.1.1.18." + n, "4|desk " + n});
      rows.push_back({"1.3.6.1.2.1.31.1.1.1.6." + n, "70|" + std::to_string(2000000 * i)});
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
      return *parse_oid(a.first) < *parse_oid(b.first);
    });
    for (const auto& [oid, value] : rows) out << oid << "|" << value << "\n";
  }
  const std::string address = "127.0.0.1:" + std::to_string(30000 + getpid() % 20000);
  std::vector<std::string> sim_args = {"snmpsimd",
                                       "--data-dir=" + (dir / "data").string(),
                                       "--cache-dir=" + (dir / "cache").string(),
                                       "--agent-udpv4-endpoint=" + address,
                                       "--process-user=nobody",
                                       "--process-group=nogroup"};
  std::vector<char*> sim_argv;
  for (auto& a : sim_args) sim_argv.push_back(a.data());
  sim_argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, (dir / "snmpsimd.log").c_str(), O_WRONLY | O_CREAT,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t sim = 0;
  posix_spawnp(&sim, "snmpsimd", &actions, nullptr, sim_argv.data(), environ);
  std::printf("snmp_poll_bench: %d targets x %d interfaces, snmpsimd on %s\n", targets, interfaces,
              address.c_str());
  // Wait until the simulator answers for the last target (it indexes all files first).
  for (int i = 0; i < 600; ++i) {
    if (run({"snmpget", "-v2c", "-c", "t" + std::to_string(targets - 1), "-t", "0.5", "-r", "0",
             address, "1.3.6.1.2.1.1.3.0"}) == 0) {
      break;
    }
  }

  // The agent's pollers: one round through the scheduler.
  std::vector<std::unique_ptr<TargetPoller>> pollers;
  for (int t = 0; t < targets; ++t) {
    PollTarget target;
    target.name = "t" + std::to_string(t);
    target.interval_s = 60;
    target.snmp.address = address;
    target.snmp.community = target.name;
    target.snmp.timeout = std::chrono::milliseconds(5000);
    target.snmp.retries = 1;
    target.snmp.bulk_repetitions = 50;
    pollers.push_back(std::make_unique<TargetPoller>(
        target, ThresholdSettings{}, InterfaceSettings{}, regwatch::SystemClock::instance()));
  }
  std::mutex mutex;
  std::condition_variable done_cv;
  std::set<std::string> polled;
  std::atomic<uint64_t> events{0};
  const double cpu_before = cpu_seconds();
  const auto start = SteadyClock::now();
  PollScheduler scheduler(
      std::move(pollers), static_cast<uint32_t>(workers), [&](regwatch::v1::Event e) {
        events.fetch_add(1);
        if (e.kind() != regwatch::v1::CPU_SAMPLE && e.kind() != regwatch::v1::SNMP_POLL_FAILED)
          return;
        std::lock_guard lock(mutex);
        polled.insert(e.origin());
        done_cv.notify_all();
      });
  scheduler.start();
  {
    std::unique_lock lock(mutex);
    done_cv.wait_for(lock, std::chrono::seconds(300),
                     [&] { return static_cast<int>(polled.size()) >= targets; });
  }
  const double round_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
  const double cpu_s = cpu_seconds() - cpu_before;
  scheduler.stop();
  const auto stats = scheduler.stats();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);

  // Baseline: snmpbulkwalk, one walk after another, for the same subtrees.
  const int baseline_targets = std::min(targets, 50);  // a sample; scaled to all targets below
  const auto base_start = SteadyClock::now();
  for (int t = 0; t < baseline_targets; ++t) {
    for (const char* column : kColumns) {
      run({"snmpbulkwalk", "-v2c", "-c", "t" + std::to_string(t), "-Cr50", "-t", "5", address,
           column});
    }
  }
  const double base_s = std::chrono::duration<double>(SteadyClock::now() - base_start).count() *
                        targets / baseline_targets;
  kill(sim, SIGTERM);
  waitpid(sim, nullptr, 0);
  fs::remove_all(dir);

  std::printf(
      "  agent round: %zu of %d targets polled in %.1f s (interval 60 s: %s), %llu events, %llu "
      "failures\n",
      polled.size(), targets, round_s, round_s < 60 ? "in time" : "LATE",
      static_cast<unsigned long long>(events.load()),
      static_cast<unsigned long long>(stats.failures));
  std::printf("  agent CPU time for the round: %.2f s; peak RSS %.1f MiB\n", cpu_s,
              static_cast<double>(usage.ru_maxrss) / 1024.0);
  std::printf(
      "  baseline: snmpbulkwalk sequentially, same walks: %.1f s (measured on %d targets, "
      "scaled)\n",
      base_s, baseline_targets);
  std::printf("  ratio agent/baseline wall time: %.2f\n", round_s / base_s);
  return 0;
}
