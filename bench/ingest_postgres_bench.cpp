// Ingest into PostgreSQL through the real path, against bare baselines measured in the same run
// on the same server (issue 24, "Scale, measured").
//
// The bench starts a PostgreSQL of its own (tests/store/postgres_server.h: initdb into a
// temporary folder, 127.0.0.1 on a free port, default durability: fsync and synchronous_commit
// on), a fresh database for each measurement, and stops it after. Then:
// - real path: regwatch-agent --replay-syslog FILE -> spool -> gRPC -> regwatch-collector
//   --db postgresql://... , timed until the agent has every ack (acks follow commits);
// - bare multi-row INSERT: the same rows into the same table and indexes with the writer's
//   statement, a transaction per 1,000 (the agent's batch), no collector
//   (bench/ingest/postgres_baselines);
// - bare COPY: the same rows with COPY FROM STDIN (binary), a COPY (a transaction) per 1,000;
// - two at once: two agents, each replaying the archive under its own id to its own
//   collector, both collectors on one database (events/s of both together).
// The first three run in rounds (--rounds, 3 by default), side by side in each round, every
// other round COPY first: this machine's speed drifts by tens of percent within minutes, and a
// ratio of two runs minutes apart measured the drift as much as the code. Prints each round,
// the medians of rates and ratios (target: real path / COPY >= 0.5), and what the real path's
// database holds per event (for sizing: docs/postgresql.md).
//
// Usage: ingest_postgres_bench [--lines N] [--rounds N] [--build-dir DIR] [--real-only]
// --real-only: the real path alone, once, for profiling it (perf record -a while it runs).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/app/replay_identity.h"
#include "bench/bench_stats.h"
#include "bench/ingest/postgres_baselines.h"
#include "bench/ingest/replay_run.h"
#include "collector/store/database.h"
#include "tests/store/postgres_server.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr size_t kBatch = 1000;  // the agent's batch_max_events

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds a run's processes used (user + system): what a loaded, shared machine disturbs
// far less than the rates.
struct RunCpu {
  double agents = 0;
  double collectors = 0;
};

// Replays the archive through `agents` collectors on url at once, each agent under its own
// id; returns the seconds until every agent had all its acks, or a negative number.
double replay_through(const std::string& build_dir, const std::string& url,
                      const std::string& archive, const fs::path& dir, int agents, RunCpu& cpu) {
  std::vector<regwatch::bench::Collector> collectors;
  collectors.reserve(static_cast<size_t>(agents));
  for (int i = 0; i < agents; ++i) {
    collectors.push_back(regwatch::bench::start_collector(
        build_dir, url, dir.string(),
        "collector-" + std::to_string(agents) + "-" + std::to_string(i)));
  }
  bool ok = true;
  for (const auto& collector : collectors) ok = ok && !collector.address.empty();
  double elapsed = -1;
  if (ok) {
    const auto start = Clock::now();
    std::vector<pid_t> replays;
    for (int i = 0; i < agents; ++i) {
      // One agent: the baselines' id, so all store the same keys.
      const std::string id = agents == 1 ? "bench" : "bench-" + std::to_string(i);
      replays.push_back(regwatch::bench::start_replay(build_dir, collectors[i].address, archive, id,
                                                      dir.string(), "agent-" + id));
    }
    for (const pid_t pid : replays) {
      const auto end = regwatch::bench::wait_end(pid);
      ok = end.success && ok;
      cpu.agents += end.cpu_seconds;
    }
    if (ok) elapsed = seconds_since(start);
  }
  for (auto& collector : collectors) {
    regwatch::bench::stop_collector(collector);
    cpu.collectors += collector.cpu_seconds;
  }
  return elapsed;
}

// CPU seconds of the server's processes that have ended (its backends, once their connections
// close: the postmaster's children's times, /proc/PID/stat fields 16 and 17), from the pid in
// postmaster.pid; negative when unreadable.
double ended_backends_cpu(const fs::path& server_root) {
  std::ifstream pid_file(server_root / "data" / "postmaster.pid");
  long pid = 0;
  if (!(pid_file >> pid)) return -1;
  std::ifstream stat_file("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(stat_file, stat);
  const size_t name_end = stat.rfind(')');
  if (name_end == std::string::npos) return -1;
  std::istringstream fields(stat.substr(name_end + 2));  // from field 3, the state
  std::string field;
  double ticks = 0;
  for (int number = 3; number <= 17 && fields >> field; ++number) {
    if (number == 16 || number == 17) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Waits (5 s at most) until the server's ended-children CPU stops growing: the backends of
// connections just closed end, and are reaped, a moment later.
double settled_backends_cpu(const fs::path& server_root) {
  double last = ended_backends_cpu(server_root);
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const double now = ended_backends_cpu(server_root);
    if (now == last) return now;
    last = now;
  }
  return last;
}

// Bytes on disk per stored event in the database at url: the events table with its indexes
// and TOAST, and the whole database (summaries, phones, everything else the path wrote).
struct StoredSize {
  double events_bytes_per_event = 0;
  double database_bytes_per_event = 0;
};

std::optional<StoredSize> stored_size(const std::string& url) {
  namespace store = regwatch::collector::store;
  auto db = store::open_database(url, true, 5000);
  if (!db.ok()) return std::nullopt;
  auto sizes = store::Statement::prepare(
      db->get(),
      "SELECT pg_total_relation_size('events'), pg_database_size(current_database()), "
      "(SELECT count(*) FROM events)");
  if (!sizes.ok() || sizes->step() != store::kStepRow) return std::nullopt;
  const auto rows = static_cast<double>(std::max<int64_t>(sizes->column_int(2), 1));
  return StoredSize{static_cast<double>(sizes->column_int(0)) / rows,
                    static_cast<double>(sizes->column_int(1)) / rows};
}

// One round's measurements: the real path and both baselines, each into a fresh database.
struct Round {
  double real_s = -1;
  double insert_s = -1;
  double copy_s = -1;
  RunCpu real_cpu;
  double backends_cpu = 0;  // PostgreSQL's, during the real path
  std::optional<StoredSize> real_size;
};

using regwatch::bench::median;

// The real path's run of round `index` (one agent, one collector), with its CPU.
bool time_real_path(regwatch::test::PostgresServer& server, const std::string& build_dir,
                    const std::string& url, const std::string& archive, const fs::path& dir,
                    Round& round) {
  const double backends_before = settled_backends_cpu(server.root());
  round.real_s = replay_through(build_dir, url, archive, dir, 1, round.real_cpu);
  if (round.real_s < 0) {
    std::fprintf(stderr, "the real path failed (see %s)\n", dir.c_str());
    return false;
  }
  round.backends_cpu = settled_backends_cpu(server.root()) - backends_before;
  round.real_size = stored_size(url);
  return true;
}

// Times one bare baseline of the events into the database at url: store(url, events, batch,
// incarnation) returns the rows it stored (bare_copy, bare_multi_row_insert). False, said on
// stderr, unless it stored every event.
template <typename Store>
bool time_baseline(const char* what, Store store, const std::string& url,
                   std::span<const regwatch::v1::Event> events, double& seconds) {
  const auto start = Clock::now();
  auto stored = store(url, events, kBatch, regwatch::agent::kReplaySpoolIncarnation);
  seconds = seconds_since(start);
  if (!stored.ok() || *stored != events.size()) {
    std::fprintf(stderr, "%s failed: %s\n", what,
                 stored.ok() ? "rows missing" : stored.error().message.c_str());
    return false;
  }
  return true;
}

int usage() {
  std::fprintf(stderr,
               "usage: ingest_postgres_bench [--lines N (200000)] [--rounds N (3)] "
               "[--build-dir DIR] [--real-only]\n"
               "Times ingest into a PostgreSQL of its own through the real path (agent, gRPC, "
               "collector)\nagainst a bare multi-row INSERT and a bare COPY of the same rows, in "
               "rounds, each\nround's three side by side; the ratios are the rounds' medians "
               "(docs/performance.md).\n");
  return 2;
}

int run(int argc, char** argv) {
  size_t lines = 200'000;
  int rounds = 3;
  std::string build_dir = REGWATCH_BINARY_DIR;
  bool real_only = false;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--lines") == 0 && has_value) {
      lines = std::stoul(argv[++i]);
    } else if (std::strcmp(argv[i], "--rounds") == 0 && has_value) {
      rounds = std::stoi(argv[++i]);
      if (rounds < 1) return usage();
    } else if (std::strcmp(argv[i], "--build-dir") == 0 && has_value) {
      build_dir = argv[++i];
    } else if (std::strcmp(argv[i], "--real-only") == 0) {
      real_only = true;
    } else {
      return usage();
    }
  }
  if (real_only) rounds = 1;
  auto server = regwatch::test::PostgresServer::start();
  if (!server.ok()) {
    std::fprintf(stderr, "cannot start PostgreSQL: %s\n", server.error().message.c_str());
    return 1;
  }
  const auto database = [&](const std::string& name) -> std::string {
    auto url = (*server)->create_database(name);
    if (!url.ok()) {
      std::fprintf(stderr, "cannot create database %s: %s\n", name.c_str(),
                   url.error().message.c_str());
      return {};
    }
    return *url;
  };
  const fs::path dir =
      fs::temp_directory_path() / ("regwatch-ingest-postgres-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string archive = (dir / "archive.log").string();
  regwatch::bench::write_archive(archive, lines);
  const auto per_event_us = [&](double seconds) {
    return seconds * 1e6 / static_cast<double>(lines);
  };
  const auto rate = [&](double s, size_t n = 0) {
    return static_cast<double>(n == 0 ? lines : n) / s;
  };
  const std::vector<regwatch::v1::Event> events =
      real_only ? std::vector<regwatch::v1::Event>{}
                : regwatch::bench::parse_archive(archive, "bench");

  // This machine's speed drifts by tens of percent within minutes (shared cores), so the
  // three run side by side in each round, every other round COPY first, and the ratios are
  // the rounds' medians.
  std::printf("ingest_postgres_bench: %zu events, %d round%s\n", lines, rounds,
              rounds == 1 ? "" : "s");
  std::vector<Round> measured(static_cast<size_t>(rounds));
  std::vector<double> copy_ratios, insert_ratios;
  for (int r = 0; r < rounds; ++r) {
    Round& round = measured[static_cast<size_t>(r)];
    const std::string suffix = "_" + std::to_string(r);
    const std::string real_url = database("real" + suffix);
    if (real_url.empty()) return 1;
    if (real_only) {
      if (!time_real_path(**server, build_dir, real_url, archive, dir, round)) return 1;
      break;
    }
    const std::string copy_url = database("bare_copy" + suffix);
    const std::string insert_url = database("bare_insert" + suffix);
    if (copy_url.empty() || insert_url.empty()) return 1;
    const bool copy_first = r % 2 == 1;
    const auto time_copy = [&] {
      return time_baseline("bare COPY", regwatch::bench::bare_copy, copy_url, events, round.copy_s);
    };
    if (copy_first && !time_copy()) return 1;
    if (!time_real_path(**server, build_dir, real_url, archive, dir, round)) return 1;
    if (!copy_first && !time_copy()) return 1;
    if (!time_baseline("bare insert", regwatch::bench::bare_multi_row_insert, insert_url, events,
                       round.insert_s))
      return 1;
    copy_ratios.push_back(rate(round.real_s) / rate(round.copy_s));
    insert_ratios.push_back(rate(round.real_s) / rate(round.insert_s));
    std::printf(
        "  round %d: real path %.0f events/s, bare COPY %.0f rows/s, bare multi-row INSERT %.0f "
        "rows/s: real/COPY %.2f, real/INSERT %.2f\n",
        r + 1, rate(round.real_s), rate(round.copy_s), rate(round.insert_s), copy_ratios.back(),
        insert_ratios.back());
  }

  std::vector<double> real_rates, agent_us, collector_us, backend_us;
  for (const Round& round : measured) {
    if (round.real_s < 0) continue;
    real_rates.push_back(rate(round.real_s));
    agent_us.push_back(per_event_us(round.real_cpu.agents));
    collector_us.push_back(per_event_us(round.real_cpu.collectors));
    backend_us.push_back(per_event_us(round.backends_cpu));
  }
  const double real_rate = median(real_rates);
  std::printf(
      "  real path (agent replay -> gRPC -> collector -> PostgreSQL, durable acks): %.0f "
      "events/s (median)\n",
      real_rate);
  std::printf(
      "  CPU per event on the real path (user + system, whole runs, medians): agent %.1f us, "
      "collector %.1f us, PostgreSQL's backends %.1f us\n",
      median(agent_us), median(collector_us), median(backend_us));
  if (!real_only) {
    std::vector<double> copy_rates, insert_rates;
    for (const Round& round : measured) {
      copy_rates.push_back(rate(round.copy_s));
      insert_rates.push_back(rate(round.insert_s));
    }
    std::printf("  bare COPY FROM STDIN (binary), a COPY per %zu rows: %.0f rows/s (median)\n",
                kBatch, median(copy_rates));
    std::printf(
        "  bare multi-row INSERT ... ON CONFLICT DO NOTHING (the writer's statement): %.0f "
        "rows/s (median)\n",
        median(insert_rates));
    RunCpu pair_cpu;
    const std::string pair_url = database("pair");
    if (pair_url.empty()) return 1;
    const double pair_s = replay_through(build_dir, pair_url, archive, dir, 2, pair_cpu);
    if (pair_s < 0) {
      std::fprintf(stderr, "the two collectors failed (see %s)\n", dir.c_str());
      return 1;
    }
    const double pair_rate = rate(pair_s, 2 * lines);
    std::printf(
        "  two collectors at once (two agents, one database): %.2f s, %.0f events/s"
        " (%zu events)\n",
        pair_s, pair_rate, 2 * lines);
    std::printf("  ratio real/COPY: %.2f, median of the rounds' (target >= 0.50)\n",
                median(copy_ratios));
    std::printf("  ratio real/multi-row INSERT: %.2f, median of the rounds'\n",
                median(insert_ratios));
    std::printf("  ratio two collectors/one: %.2f\n", pair_rate / real_rate);
  }
  if (const auto& size = measured.front().real_size) {
    std::printf(
        "  stored by the real path: %.0f bytes/event in events (table, indexes, TOAST), %.0f "
        "bytes/event in the whole database\n",
        size->events_bytes_per_event, size->database_bytes_per_event);
  } else {
    std::printf("  stored by the real path: could not read the sizes\n");
  }
  fs::remove_all(dir);
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {  // a bad --lines, say
    std::fprintf(stderr, "ingest_postgres_bench: %s\n", error.what());
    return 2;
  }
}
