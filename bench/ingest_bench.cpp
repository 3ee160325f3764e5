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
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/app/replay_identity.h"
#include "bench/ingest/bare_insert.h"
#include "bench/ingest/replay_run.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

}  // namespace

int main(int argc, char** argv) {
  size_t lines = 200'000;
  std::string build_dir = REGWATCH_BINARY_DIR;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--lines") == 0 && has_value) {
      lines = std::strtoul(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--build-dir") == 0 && has_value) {
      build_dir = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: ingest_bench [--lines N (200000)] [--build-dir DIR]\n"
                   "Times ingest into SQLite through the real path (agent, gRPC, collector) "
                   "against a bare\nbatched insert of the same rows (docs/performance.md).\n");
      return 2;
    }
  }
  if (lines == 0) {
    std::fprintf(stderr, "ingest_bench: --lines wants a number above 0\n");
    return 2;
  }
  const fs::path dir =
      fs::temp_directory_path() / ("regwatch-ingest-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string archive = (dir / "archive.log").string();
  regwatch::bench::write_archive(archive, lines);

  // Real path.
  auto collector = regwatch::bench::start_collector(build_dir, (dir / "real.db").string(),
                                                    dir.string(), "collector");
  if (collector.address.empty()) {
    std::fprintf(stderr, "cannot start the collector (see %s)\n", dir.c_str());
    regwatch::bench::stop_collector(collector);
    return 1;
  }
  const auto real_start = Clock::now();
  const bool replayed = regwatch::bench::wait_success(regwatch::bench::start_replay(
      build_dir, collector.address, archive, "bench", dir.string(), "agent"));
  const double real_s = std::chrono::duration<double>(Clock::now() - real_start).count();
  regwatch::bench::stop_collector(collector);
  if (!replayed) {
    std::fprintf(stderr, "agent replay failed (see %s)\n", dir.c_str());
    return 1;
  }

  // Baseline: the same rows, parsed beforehand, into a bare batched insert.
  const std::vector<regwatch::v1::Event> events = regwatch::bench::parse_archive(archive, "bench");
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
  // For sizing (docs/postgresql.md): the real path's file after the collector's clean stop
  // (its WAL checkpointed into it): events, indexes, summaries, everything.
  std::error_code size_error;
  const auto file_bytes = fs::file_size(dir / "real.db", size_error);
  if (!size_error) {
    std::printf("  stored by the real path: %.0f bytes/event (the whole database file)\n",
                static_cast<double>(file_bytes) / static_cast<double>(lines));
  }
  fs::remove_all(dir);
  return 0;
}
