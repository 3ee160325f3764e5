// Ingest through the real path, against a baseline measured in the same run.
//
// Real path: regwatch-agent --replay-syslog FILE -> spool -> gRPC -> collector ->
// SQLite, timed until the agent has every ack (durable: acks follow commits).
// Baseline: the same rows put into the same table and indexes with a bare
// batched SQLite insert (bench/ingest/bare_insert, the writer's statement), no agent, no
// network. Both run in rounds (--rounds, 3 by default), side by side in each round, every
// other round the baseline first. Prints each round, the medians and the median ratio (target
// >= 0.5), and the absolute rate (target >= 100,000 events/s on the 2-core reference machine).
//
// Usage: ingest_bench [--lines N] [--rounds N] [--build-dir DIR]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/app/replay_identity.h"
#include "bench/bench_stats.h"
#include "bench/ingest/bare_insert.h"
#include "bench/ingest/replay_run.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

using regwatch::bench::median;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The real path into a fresh database file db: seconds until the agent had every ack, or a
// negative number.
double time_real_path(const std::string& build_dir, const fs::path& dir, const fs::path& db,
                      const std::string& archive) {
  auto collector =
      regwatch::bench::start_collector(build_dir, db.string(), dir.string(), "collector");
  if (collector.address.empty()) {
    std::fprintf(stderr, "cannot start the collector (see %s)\n", dir.c_str());
    regwatch::bench::stop_collector(collector);
    return -1;
  }
  const auto start = Clock::now();
  const bool replayed = regwatch::bench::wait_success(regwatch::bench::start_replay(
      build_dir, collector.address, archive, "bench", dir.string(), "agent"));
  const double seconds = seconds_since(start);
  regwatch::bench::stop_collector(collector);
  if (!replayed) {
    std::fprintf(stderr, "agent replay failed (see %s)\n", dir.c_str());
    return -1;
  }
  return seconds;
}

// The bare batched insert of the same rows into a fresh file db, or a negative number.
double time_bare(const fs::path& db, const std::vector<regwatch::v1::Event>& events,
                 regwatch::bench::Durability durability) {
  const auto start = Clock::now();
  auto bare = regwatch::bench::bare_batched_insert(
      db.string(), events, 1000, regwatch::agent::kReplaySpoolIncarnation, durability);
  if (!bare.ok()) {
    std::fprintf(stderr, "bare insert failed: %s\n", bare.error().message.c_str());
    return -1;
  }
  return seconds_since(start);
}

int usage() {
  std::fprintf(stderr,
               "usage: ingest_bench [--lines N (200000)] [--rounds N (3)] [--build-dir DIR]\n"
               "Times ingest into SQLite through the real path (agent, gRPC, collector) "
               "against a bare\nbatched insert of the same rows, in rounds, side by side in "
               "each; the ratio is the\nrounds' median (docs/performance.md).\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  size_t lines = 200'000;
  long rounds = 3;
  std::string build_dir = REGWATCH_BINARY_DIR;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--lines") == 0 && has_value) {
      lines = std::strtoul(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--rounds") == 0 && has_value) {
      rounds = std::strtol(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--build-dir") == 0 && has_value) {
      build_dir = argv[++i];
    } else {
      return usage();
    }
  }
  if (lines == 0) {
    std::fprintf(stderr, "ingest_bench: --lines wants a number above 0\n");
    return 2;
  }
  if (rounds < 1) {
    std::fprintf(stderr, "ingest_bench: --rounds wants a number above 0\n");
    return 2;
  }
  const fs::path dir =
      fs::temp_directory_path() / ("regwatch-ingest-bench-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string archive = (dir / "archive.log").string();
  regwatch::bench::write_archive(archive, lines);
  // The baseline's rows, parsed beforehand.
  const std::vector<regwatch::v1::Event> events = regwatch::bench::parse_archive(archive, "bench");
  const auto rate = [&](double seconds) { return static_cast<double>(lines) / seconds; };

  // This machine's speed drifts by tens of percent within minutes (shared cores): the two run
  // side by side in each round, every other round the baseline first, and the ratio is the
  // rounds' median.
  std::printf("ingest_bench: %zu events, %ld round%s\n", lines, rounds, rounds == 1 ? "" : "s");
  std::vector<double> real_rates, bare_rates, ratios;
  for (long r = 0; r < rounds; ++r) {
    const std::string suffix = std::to_string(r) + ".db";
    const bool bare_first = r % 2 == 1;
    double bare_s = 0;
    if (bare_first)
      bare_s = time_bare(dir / ("bare-" + suffix), events, regwatch::bench::Durability::kDurable);
    const double real_s = time_real_path(build_dir, dir, dir / ("real-" + suffix), archive);
    if (!bare_first)
      bare_s = time_bare(dir / ("bare-" + suffix), events, regwatch::bench::Durability::kDurable);
    if (real_s < 0 || bare_s < 0) return 1;
    real_rates.push_back(rate(real_s));
    bare_rates.push_back(rate(bare_s));
    ratios.push_back(real_rates.back() / bare_rates.back());
    std::printf("  round %ld: real path %.0f events/s, bare insert %.0f rows/s: ratio %.2f\n",
                r + 1, real_rates.back(), bare_rates.back(), ratios.back());
  }
  // The same, committed without syncing (synchronous=NORMAL, what the collector did before its
  // acks had to be durable): what durability costs the baseline.
  const double fast_s =
      time_bare(dir / "bare-not-durable.db", events, regwatch::bench::Durability::kNotDurable);
  if (fast_s < 0) return 1;

  const double real_rate = median(real_rates);
  const double bare_rate = median(bare_rates);
  const double fast_rate = rate(fast_s);
  std::printf(
      "  real path (agent replay -> gRPC -> collector -> SQLite, durable acks): %.0f events/s "
      "(median)\n",
      real_rate);
  std::printf(
      "  baseline (bare batched SQLite insert of the same rows, durable): %.0f rows/s "
      "(median)\n",
      bare_rate);
  std::printf(
      "  the same not durable (synchronous=NORMAL): %.0f rows/s (durability costs the baseline "
      "%.0f %%)\n",
      fast_rate, 100.0 * (1.0 - bare_rate / fast_rate));
  std::printf("  ratio real/baseline: %.2f, median of the rounds' (target >= 0.50)\n",
              median(ratios));
  std::printf("  absolute: %s the 100,000 events/s target\n",
              real_rate >= 100'000 ? "meets" : "MISSES");
  // For sizing (docs/postgresql.md): the real path's file after the collector's clean stop
  // (its WAL checkpointed into it): events, indexes, summaries, everything.
  std::error_code size_error;
  const auto file_bytes = fs::file_size(dir / "real-0.db", size_error);
  if (!size_error) {
    std::printf("  stored by the real path: %.0f bytes/event (the whole database file)\n",
                static_cast<double>(file_bytes) / static_cast<double>(lines));
  }
  fs::remove_all(dir);
  return 0;
}
