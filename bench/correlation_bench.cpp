// Correlation at scale (the benchmark): 100,000 registered phones and a
// 40,000-phone unregistration burst in 10 s; throughput, detection latency, memory.
//
// The history is generated in memory: N phones on 8 CM nodes of cluster PROD,
// on 4-member switch stacks (192 phones a switch, 48 a module, a voice VLAN per
// 10 switches, a /24 per 250 phones); a topology event each (CDP, 90 min before
// the burst) and a phone_registered each (60 to 30 min before). Then RTMT
// CallProcessingNodeCpuPegging on ucm-sub1 and ucm-sub2 20 s before the burst,
// and the burst: B phones, all those registered to ucm-sub1 and ucm-sub2 (they
// are spread over every switch), unregister from syslog with reason 13
// (KeepAliveTimeout), evenly over S seconds.
//
// 1. Pure correlate() over the whole history: events/s (best and median of R
//    runs), the incidents and the top cause, the growth of peak RSS it causes.
// 2. End to end in the collector's own pieces, no gRPC: a fresh SQLite store,
//    the commit queue with its on_stored hook wired to a CorrelationRunner as
//    collector_server.cpp wires them (same settings). The history is written in
//    batches of 1,000 and the runner left to go idle; then the burst is written
//    in batches of 1,000 as fast as the queue takes them. Detection latency is
//    the wall time from the commit of the batch holding the event that crosses
//    a scope's threshold (>= min_phones and >= min_fraction of the scope's
//    phones in window_s, computed here from the layout) to a row for that
//    scope being readable in the incidents table, polled every 5 ms (the poll
//    measures, it does not synchronise). Two latencies: of the first scope to
//    cross (any incident at all) and of the scope pure correlate() reports in
//    the end. R repeats, a fresh store each; p50 / p90 / max. Also the time the
//    runner takes to settle after the last batch, its passes, and whether the
//    table then holds what pure correlate() finds for the same events.
// 3. One live runner pass taken apart: loading the runner's event window from
//    the store (once per collector start), reading the burst's last batch into
//    it (what each live pass reads), and correlate() on the window's events.
//
// "Idle" (between phases, and "settled") is read from outside the runner: all
// batches committed, no new pass, and the runner's thread neither used CPU nor
// ran for 0.6 s (its settle wait is 0.1 s).
//
// Usage: correlation_bench [phones=100000] [burst=40000] [burst_seconds=10] [repeats=3]
//   cmake --build build --target correlation_bench
//   build/bench/correlation_bench               # the size
//   build/bench/correlation_bench 10000 4000    # a tenth of it
#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/correlation/fleet.h"
#include "bench/correlation/probe.h"
#include "collector/correlate/cause_ranker.h"
#include "collector/correlate/correlation_runner.h"
#include "collector/correlate/correlator.h"
#include "collector/correlate/event_window.h"
#include "collector/correlate/phone_directory.h"
#include "collector/ingest/commit_queue.h"
#include "collector/store/database.h"
#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"
#include "common/clock.h"
#include "common/incident_state.h"
#include "common/logging.h"

namespace {

namespace fs = std::filesystem;
namespace cor = regwatch::collector::correlate;
namespace store = regwatch::collector::store;
namespace ingest = regwatch::collector::ingest;
using regwatch::v1::Event;
using Steady = std::chrono::steady_clock;
using namespace regwatch::bench::correlation;  // the generated fleet and the probes

constexpr int64_t kRunnerContextUs = 2 * 3600 * kSecond;  // correlation_runner.cpp reads +-2 h
constexpr size_t kBatch = 1000;
constexpr auto kPoll = std::chrono::milliseconds(5);
constexpr auto kQuiet = std::chrono::milliseconds(600);
constexpr auto kGiveUp = std::chrono::seconds(900);

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}
double seconds_between(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// ---- Watching the runner from outside -------------------------------------

// What the incidents table shows (the columns the CLI lists; the record blob is left alone).
struct Row {
  std::string id, scope_type, scope_name, top_cause, state;
  int64_t phones = 0;
};
class TableReader {
 public:
  bool open(const std::string& db) {
    auto handle = store::open_database(db, true, 5000);
    if (!handle.ok()) return false;
    db_ = std::move(handle).value();
    auto statement = store::Statement::prepare(
        db_.get(),
        "SELECT id, scope_type, scope_name, phone_count, top_cause, state FROM incidents WHERE "
        "state != 'withdrawn'");  // withdrawn ones are kept only to resolve their pages
    if (!statement.ok()) return false;
    select_ = std::move(statement).value();
    return true;
  }
  std::vector<Row> rows() {
    std::vector<Row> out;
    while (select_.step() == store::kStepRow) {
      out.push_back({std::string(select_.column_text(0)), std::string(select_.column_text(1)),
                     std::string(select_.column_text(2)), std::string(select_.column_text(4)),
                     std::string(select_.column_text(5)), select_.column_int(3)});
    }
    select_.reset();
    return out;
  }

 private:
  store::DatabasePtr db_;
  store::Statement select_;
};

// ---- End to end -----------------------------------------------------------

struct Expected {
  size_t first_cross_batch = 0;  // burst-phase batch with the first crossing of any scope
  cor::Scope first_scope;
  bool final_known = false;  // pure correlate() found an incident whose crossing we know
  size_t final_cross_batch = 0;
  cor::Scope final_scope;
  size_t final_phones = 0;
  std::map<std::string, int64_t> incidents;  // id -> phones, from pure correlate()
};

struct RunResult {
  bool completed = false;  // the runner went idle before we gave up
  double history_write_s = 0, history_settle_s = 0;
  uint64_t history_passes = 0;
  double burst_write_s = 0, settle_s = 0;
  uint64_t burst_passes = 0;
  double first_latency_s = NAN;  // any incident, from the first crossing's commit
  double final_latency_s = NAN;  // the final scope's row, from its crossing's commit
  double full_after_last_s =
      NAN;                 // the final scope's row with all its phones, after the last commit
  std::vector<Row> table;  // at the end
};

class Pipeline {
 public:
  Pipeline(const std::string& db, const cor::CorrelationSettings& settings, size_t max_batches)
      : commit_at_(max_batches) {
    auto writer = store::EventWriter::open(db);
    if (!writer.ok()) {
      error_ = writer.error().message;
      return;
    }
    const auto before = task_ids();
    runner_ = std::make_unique<regwatch::collector::CorrelationRunner>(
        db, settings, regwatch::SystemClock::instance());
    if (auto started = runner_->start(); !started.ok()) {
      error_ = started.error().message;
      return;
    }
    for (int tid : task_ids()) {
      if (!before.count(tid)) runner_tid_ = runner_tid_ == 0 ? tid : -1;  // -1: not one new thread
    }
    // As collector_server.cpp wires it; the commit's wall time is noted first.
    ingest::CommitQueueOptions options;
    options.on_stored = [this](int64_t lo, int64_t hi) {
      const size_t i = committed_.fetch_add(1);
      if (i < commit_at_.size()) commit_at_[i].store(Steady::now().time_since_epoch().count());
      runner_->on_stored(lo, hi);
    };
    queue_ = std::make_unique<ingest::CommitQueue>(std::move(writer).value(), options,
                                                   regwatch::SystemClock::instance());
  }
  ~Pipeline() {
    if (queue_) queue_->stop();  // the runner after the last commit, as the collector stops them
    if (runner_) runner_->stop();
  }
  const std::string& error() const { return error_; }
  int runner_tid() const { return runner_tid_; }
  uint64_t passes() const { return runner_->passes(); }

  // A new phase: commit times are counted from batch 0 again.
  void begin_phase() {
    committed_.store(0);
    done_ = 0;
    for (auto& t : commit_at_) t.store(0);
  }
  size_t submit(const std::vector<Event>& events) {
    size_t batches = 0;
    for (size_t at = 0; at < events.size(); at += kBatch, ++batches) {
      regwatch::v1::EventBatch batch;
      const size_t end = std::min(events.size(), at + kBatch);
      for (size_t k = at; k < end; ++k) *batch.add_events() = events[k];
      auto done = [this](const ingest::CommitResult& result) {
        std::lock_guard lock(mutex_);
        ++done_;
        if (!result.ok()) failed_ = result.error().message;
        done_changed_.notify_all();
      };
      while (!queue_->submit(batch, done))
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return batches;
  }
  bool all_done(size_t batches) {
    std::lock_guard lock(mutex_);
    return done_ >= batches;
  }
  std::string failed() {
    std::lock_guard lock(mutex_);
    return failed_;
  }
  // Wall time of the commit of batch i of the phase (nullopt until it is committed).
  std::optional<Steady::time_point> commit_time(size_t i) const {
    if (i >= commit_at_.size()) return std::nullopt;
    const auto ticks = commit_at_[i].load();
    if (ticks == 0) return std::nullopt;
    return Steady::time_point(Steady::duration(ticks));
  }

 private:
  std::string error_;
  std::unique_ptr<regwatch::collector::CorrelationRunner> runner_;
  std::unique_ptr<ingest::CommitQueue> queue_;
  int runner_tid_ = 0;
  std::vector<std::atomic<Steady::rep>> commit_at_;
  std::atomic<size_t> committed_{0};
  std::mutex mutex_;
  std::condition_variable done_changed_;
  size_t done_ = 0;
  std::string failed_;
};

// Polls until every batch of the phase is committed and the runner has been
// quiet for kQuiet; `each` runs at every poll (incident table measurements).
// Returns false on giving up. last_change: when a pass last ended.
template <typename Each>
bool watch_until_idle(Pipeline& pipeline, size_t batches, Steady::time_point& last_change,
                      Each each) {
  const auto start = Steady::now();
  uint64_t passes = pipeline.passes();
  ThreadSample sample = sample_thread(pipeline.runner_tid());
  auto quiet_since = Steady::now();
  last_change = start;
  while (Steady::now() - start < kGiveUp) {
    std::this_thread::sleep_for(kPoll);
    const auto now = Steady::now();
    each(now);
    const uint64_t p = pipeline.passes();
    const ThreadSample s = sample_thread(pipeline.runner_tid());
    if (p != passes) last_change = now;
    if (p != passes || s.ticks != sample.ticks || s.state == 'R' || s.state == 'D' ||
        !pipeline.all_done(batches)) {
      quiet_since = now;
    }
    passes = p;
    sample = s;
    if (now - quiet_since >= kQuiet) return true;
  }
  return false;
}

RunResult run_in(const std::string& db, const History& history, const Expected& expected,
                 const cor::CorrelationSettings& settings, int repeat) {
  RunResult r;
  {
    const size_t max_batches = history.before.size() / kBatch + history.burst.size() / kBatch + 2;
    Pipeline pipeline(db, settings, max_batches);
    if (!pipeline.error().empty()) {
      std::printf("  repeat %d: cannot open the store or start the runner: %s\n", repeat,
                  pipeline.error().c_str());
      return r;
    }
    if (repeat == 1 && pipeline.runner_tid() <= 0) {
      std::printf("  (runner thread not identified: idle is judged by its passes only)\n");
    }

    // The history, and the runner left to settle.
    pipeline.begin_phase();
    auto start = Steady::now();
    const size_t history_batches = pipeline.submit(history.before);
    Steady::time_point last_pass;
    if (!watch_until_idle(pipeline, history_batches, last_pass, [](Steady::time_point) {})) {
      std::printf("  repeat %d: the runner did not go idle within %lld s of writing the history\n",
                  repeat, static_cast<long long>(kGiveUp.count()));
      return r;
    }
    const auto last_history_commit = pipeline.commit_time(history_batches - 1);
    r.history_write_s = last_history_commit ? seconds_between(start, *last_history_commit) : NAN;
    r.history_settle_s =
        last_history_commit ? std::max(0.0, seconds_between(*last_history_commit, last_pass)) : NAN;
    r.history_passes = pipeline.passes();
    if (!pipeline.failed().empty()) {
      std::printf("  repeat %d: a batch failed to commit: %s\n", repeat, pipeline.failed().c_str());
      return r;
    }

    // The burst, as fast as the queue takes it, the table polled meanwhile.
    TableReader table;
    if (!table.open(db)) {
      std::printf("  repeat %d: cannot read the incidents table\n", repeat);
      return r;
    }
    std::optional<Steady::time_point> first_row, final_row, full_row;
    pipeline.begin_phase();
    start = Steady::now();
    const size_t burst_batches = pipeline.submit(history.burst);
    const bool idle =
        watch_until_idle(pipeline, burst_batches, last_pass, [&](Steady::time_point now) {
          if (full_row) return;
          for (const Row& row : table.rows()) {
            if (!first_row) first_row = now;
            if (row.scope_type == expected.final_scope.type &&
                row.scope_name == expected.final_scope.name) {
              if (!final_row) final_row = now;
              if (static_cast<size_t>(row.phones) >= expected.final_phones && !full_row)
                full_row = now;
            }
          }
        });
    const auto last_commit = pipeline.commit_time(burst_batches - 1);
    const auto first_cross = pipeline.commit_time(expected.first_cross_batch);
    const auto final_cross = pipeline.commit_time(expected.final_cross_batch);
    r.burst_write_s = last_commit ? seconds_between(start, *last_commit) : NAN;
    r.settle_s = last_commit ? std::max(0.0, seconds_between(*last_commit, last_pass)) : NAN;
    r.burst_passes = pipeline.passes() - r.history_passes;
    if (first_row && first_cross) r.first_latency_s = seconds_between(*first_cross, *first_row);
    if (final_row && final_cross && expected.final_known)
      r.final_latency_s = seconds_between(*final_cross, *final_row);
    if (full_row && last_commit) r.full_after_last_s = seconds_between(*last_commit, *full_row);
    r.table = table.rows();
    r.completed = idle;
    if (!idle) {
      std::printf("  repeat %d: the runner did not go idle within %lld s of the burst\n", repeat,
                  static_cast<long long>(kGiveUp.count()));
    }
  }
  return r;
}

// A fresh store for each repeat, removed afterwards.
RunResult run_once(const History& history, const Expected& expected,
                   const cor::CorrelationSettings& settings, int repeat) {
  const fs::path dir =
      fs::temp_directory_path() /
      ("regwatch-correlation-bench-" + std::to_string(getpid()) + "-" + std::to_string(repeat));
  fs::remove_all(dir);
  fs::create_directories(dir);
  RunResult r = run_in((dir / "regwatch.db").string(), history, expected, settings, repeat);
  fs::remove_all(dir);
  return r;
}

std::string figure(double s) {
  if (std::isnan(s)) return "   -   ";
  char text[32];
  std::snprintf(text, sizeof text, "%6.3f s", s);
  return text;
}

// Nearest rank over what was measured; "-" when nothing was.
std::string percentiles(std::vector<double> values, const char* unit = "s") {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
               values.end());
  if (values.empty()) return "not measured (no such incident appeared)";
  std::sort(values.begin(), values.end());
  const auto rank = [&](double q) {
    const size_t k = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
    return values[std::max<size_t>(k, 1) - 1];
  };
  char text[160];
  if (*unit == '\0') {
    std::snprintf(text, sizeof text, "p50 %.0f, p90 %.0f, max %.0f", rank(0.5), rank(0.9),
                  values.back());
  } else {
    std::snprintf(text, sizeof text, "p50 %.3f %s, p90 %.3f %s, max %.3f %s (%zu values)",
                  rank(0.5), unit, rank(0.9), unit, values.back(), unit, values.size());
  }
  return text;
}

// Section 3: one live pass taken apart, as the runner does it: the event window loaded once
// (the store read a collector pays at start, or when a range jumps back), then for the burst's
// last batch only its new rows read, then correlate() on the window's events for the range.
void pass_breakdown(const std::string& db, const History& history, int64_t range_from,
                    int64_t range_to, const cor::CorrelationSettings& settings) {
  auto writer = store::EventWriter::open(db);
  auto reader = store::EventReader::open(db);
  if (!writer.ok() || !reader.ok()) {
    std::printf("\n3. cannot open the store for the pass breakdown\n");
    return;
  }
  const auto write = [&](std::span<const Event> events) {
    for (size_t at = 0; at < events.size(); at += kBatch) {
      const size_t n = std::min(kBatch, events.size() - at);
      if (!(*writer)->insert_batch(events.subspan(at, n), 1).ok()) return false;
    }
    return true;
  };
  const size_t last_batch = std::min(kBatch, history.burst.size());
  const std::span<const Event> burst(history.burst);
  if (!write(history.before) || !write(burst.first(burst.size() - last_batch))) {
    std::printf("\n3. cannot build the store for the pass breakdown\n");
    return;
  }
  // The runner's kinds (every generated kind is one it reads).
  regwatch::collector::EventWindow window(
      {"phone_registered", "phone_unregistered", "topology", "cpu_pegging"}, 1'000'000);
  const double rss_before = heap_in_use_mib();
  auto start = Steady::now();
  const bool loaded = window.serve_from(**reader, range_from);
  const double load_s = seconds_since(start);
  const double window_mib = heap_in_use_mib() - rss_before;
  if (!loaded || !write(burst.last(last_batch))) {
    std::printf("\n3. the window could not be loaded\n");
    return;
  }
  // The phone directory at its largest: every registration and attachment of the site before
  // it (in this layout they are all inside the context, so a live pass's directory is empty;
  // in a site running for days it holds this many).
  regwatch::collector::PhoneDirectory directory;
  start = Steady::now();
  const bool directory_loaded = directory.load(**reader, range_to, 2'000'000);
  const double directory_s = seconds_since(start);
  start = Steady::now();
  const bool served = window.serve_from(**reader, range_from);
  auto input = window.events_in(range_from, range_to);
  const double refresh_s = seconds_since(start);
  if (!served) return;
  const size_t read = input.size();
  start = Steady::now();
  const auto found = cor::correlate(std::move(input), settings);
  const double correlate_s = seconds_since(start);
  const cor::Incident* big = largest(found);
  const std::string largest_text =
      big ? ", the largest " + std::to_string(big->phones.size()) + " phones" : "";
  const double pass_s = refresh_s + correlate_s;
  std::printf("\n3. one live runner pass over the burst's range, taken apart\n");
  std::printf(
      "  event window loaded once: %zu events in %.3f s (%.0f events/s), %.0f MiB of heap\n",
      window.size(), load_s, static_cast<double>(window.size()) / load_s, window_mib);
  std::printf("  the last batch's %zu new rows read into it: %.3f s\n", last_batch, refresh_s);
  if (directory_loaded)
    std::printf("  phone directory loaded (every registration and attachment): %zu in %.3f s\n",
                directory.size(), directory_s);
  std::printf(
      "  correlate() of the %zu events in range: %.3f s (%.0f events/s), %zu incidents%s; one "
      "pass %.2f s, so a burst shows about %.1f s (0.1 s settle + a pass) after its crossing "
      "batch, %.1f s if that batch lands just after a pass began\n",
      read, correlate_s, static_cast<double>(read) / correlate_s, found.size(),
      largest_text.c_str(), pass_s, 0.1 + pass_s, 0.1 + 2 * pass_s);
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t phones = argc > 1 ? static_cast<uint32_t>(std::stoul(argv[1])) : 100'000;
  const uint32_t burst_arg = argc > 2 ? static_cast<uint32_t>(std::stoul(argv[2])) : 40'000;
  const double burst_seconds = argc > 3 ? std::stod(argv[3]) : 10.0;
  const int repeats = argc > 4 ? std::max(1, std::stoi(argv[4])) : 3;
  if (phones < 10 || burst_arg == 0 || burst_seconds <= 0) {
    std::fprintf(
        stderr,
        "usage: correlation_bench [phones=100000] [burst=40000] [burst_seconds=10] [repeats=3]\n");
    return 1;
  }
  const uint32_t burst = std::min(burst_arg, phones);
  regwatch::set_log_level("warn");          // the runner logs every incident of every pass at info
  const cor::CorrelationSettings settings;  // what collector_server.cpp gives the runner

  const auto generate_start = Steady::now();
  const Layout layout = make_layout(phones, burst, burst_seconds);
  const History history = generate(layout);
  const std::vector<cor::StoredEvent> all = stored_events(history);
  const double generate_s = seconds_since(generate_start);
  const uint32_t switches = (phones + kPerSwitch - 1) / kPerSwitch;
  std::printf(
      "correlation_bench: %u phones on %d CM nodes, %u switches (%u modules), %u voice VLANs, "
      "%u /24s; burst of %u (all of ucm-sub1 and ucm-sub2) in %.0f s\n",
      phones, kNodes, switches, (phones + kPerModule - 1) / kPerModule,
      (phones + kPerVlan - 1) / kPerVlan, (phones + kPerSubnet - 1) / kPerSubnet, burst,
      burst_seconds);
  std::printf("  %zu events (%zu topology + registrations, %zu CPU + drops), generated in %.2f s\n",
              all.size(), history.before.size(), history.burst.size(), generate_s);

  // 1. Pure correlate() over everything.
  std::vector<double> times;
  std::vector<cor::Incident> incidents;
  long rss_before = 0, rss_after = 0;
  for (int run = 0; run < repeats; ++run) {
    std::vector<cor::StoredEvent> input = all;  // correlate() takes its input by value
    if (run == 0) rss_before = peak_rss_kib();
    const auto start = Steady::now();
    incidents = cor::correlate(std::move(input), settings);
    times.push_back(seconds_since(start));
    if (run == 0) rss_after = peak_rss_kib();
  }
  std::vector<double> sorted_times = times;
  std::sort(sorted_times.begin(), sorted_times.end());
  const double best = sorted_times.front(), median = sorted_times[sorted_times.size() / 2];
  const double n_events = static_cast<double>(all.size());
  std::printf("\n1. pure correlate() over all %zu events, %d runs\n", all.size(), repeats);
  std::printf("  best %.3f s (%.0f events/s), median %.3f s (%.0f events/s)\n", best,
              n_events / best, median, n_events / median);
  std::printf(
      "  peak RSS %.0f MiB before the first run (events and their copy), +%.0f MiB during it\n",
      mib(rss_before), mib(rss_after - rss_before));
  std::printf("  incidents: %zu\n", incidents.size());
  size_t shown = 0;
  for (const auto& i : incidents) {
    if (++shown > 10) {
      std::printf("    ... and %zu more\n", incidents.size() - 10);
      break;
    }
    const cor::Cause* top = i.causes.empty() ? nullptr : &i.causes.front();
    std::printf("    %s: %s, %zu phones, %s, %s; top cause %s %s (score %.2f)\n", i.id.c_str(),
                scope_text(i.scope).c_str(), i.phones.size(), i.incident_class.c_str(),
                std::string(regwatch::incident_state_name(i.state)).c_str(),
                top ? top->kind.c_str() : "-", top ? top->subject.c_str() : "",
                top ? top->score : 0.0);
  }
  const cor::Incident* main_incident = largest(incidents);
  const bool pure_ok = main_incident && main_incident->phones.size() == burst &&
                       !main_incident->causes.empty() &&
                       main_incident->causes.front().kind == "cm_cpu";
  std::printf("  %s\n",
              pure_ok ? "as expected: one incident holds every dropped phone, top cause cm_cpu"
                      : "UNEXPECTED: no incident holds all the dropped phones with cm_cpu on top");

  // Where the thresholds are crossed, and in which burst-phase batch.
  Expected expected;
  const auto crossed = crossings(layout, settings);
  if (crossed.empty()) {
    std::printf("\nno scope crosses its threshold with this burst: nothing to detect\n");
    return 1;
  }
  size_t first_index = SIZE_MAX;
  for (const auto& [scope, index] : crossed) {
    if (index < first_index) {
      first_index = index;
      expected.first_scope = scope;
    }
  }
  expected.first_cross_batch = (kCpuEvents + first_index) / kBatch;
  for (const auto& i : incidents) expected.incidents[i.id] = static_cast<int64_t>(i.phones.size());
  if (main_incident) {
    expected.final_scope = main_incident->scope;
    expected.final_phones = main_incident->phones.size();
    if (auto it = crossed.find(main_incident->scope); it != crossed.end()) {
      expected.final_known = true;
      expected.final_cross_batch = (kCpuEvents + it->second) / kBatch;
    }
  }
  const size_t burst_batches = (history.burst.size() + kBatch - 1) / kBatch;
  std::printf(
      "\n2. end to end: fresh store, commit queue -> on_stored -> CorrelationRunner; "
      "batches of %zu, the burst in %zu of them as fast as possible; %d repeats\n",
      kBatch, burst_batches, repeats);
  std::printf("  first scope over its threshold: %s at drop %zu (burst batch %zu)\n",
              scope_text(expected.first_scope).c_str(), first_index + 1,
              expected.first_cross_batch + 1);
  {
    std::map<std::string, size_t> by_type;
    for (const auto& [scope, index] : crossed) ++by_type[scope.type];
    std::string text;
    for (const auto& [type, n] : by_type)
      text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + type;
    std::printf(
        "  %zu scopes cross their threshold, so correlate() compares that many bursts pairwise "
        "before suppressing: %s\n",
        crossed.size(), text.c_str());
  }
  if (expected.final_known) {
    std::printf("  the reported scope: %s crosses at drop %zu (burst batch %zu)\n",
                scope_text(expected.final_scope).c_str(), crossed.at(expected.final_scope) + 1,
                expected.final_cross_batch + 1);
  }

  // The range the runner reads for the burst's pass.
  const int64_t range_from = kBurstStart - 20 * kSecond - kRunnerContextUs;
  const int64_t range_to = layout.drop_time(burst - 1) + kRunnerContextUs;
  std::vector<double> first_latency, final_latency, settle, full_after, history_settle;
  std::vector<double> burst_passes, history_passes, burst_write, history_write;
  bool table_ok_every_time = true;
  std::string table_problem;
  for (int repeat = 1; repeat <= repeats; ++repeat) {
    const auto start = Steady::now();
    const RunResult r = run_once(history, expected, settings, repeat);
    std::map<std::string, int64_t> table;
    for (const Row& row : r.table) table[row.id] = row.phones;
    const bool table_ok = r.completed && table == expected.incidents;
    std::printf(
        "  repeat %d (%.1f s): history written in %s, runner settled %s later (%llu passes); "
        "burst written in %s, settled %s later (%llu passes); latency first %s, reported "
        "scope %s; complete %s after the last batch; table %s\n",
        repeat, seconds_since(start), figure(r.history_write_s).c_str(),
        figure(r.history_settle_s).c_str(), static_cast<unsigned long long>(r.history_passes),
        figure(r.burst_write_s).c_str(), figure(r.settle_s).c_str(),
        static_cast<unsigned long long>(r.burst_passes), figure(r.first_latency_s).c_str(),
        figure(r.final_latency_s).c_str(), figure(r.full_after_last_s).c_str(),
        table_ok ? "= pure correlate()" : "DIFFERS from pure correlate()");
    if (!table_ok) {
      table_ok_every_time = false;
      std::ostringstream what;
      what << r.table.size() << " rows";
      size_t k = 0;
      for (const Row& row : r.table) {
        if (k++ == 5) {
          what << ", ...";
          break;
        }
        what << (k == 1 ? ": " : ", ") << row.id << " (" << row.phones << " phones, " << row.state
             << ", " << row.top_cause << ")";
      }
      table_problem = what.str();
    }
    first_latency.push_back(r.first_latency_s);
    final_latency.push_back(r.final_latency_s);
    full_after.push_back(r.full_after_last_s);
    settle.push_back(r.settle_s);
    history_settle.push_back(r.history_settle_s);
    burst_passes.push_back(static_cast<double>(r.burst_passes));
    history_passes.push_back(static_cast<double>(r.history_passes));
    burst_write.push_back(r.burst_write_s);
    history_write.push_back(r.history_write_s);
  }
  std::printf("  detection latency, first crossing's commit -> first incident row:      %s\n",
              percentiles(first_latency).c_str());
  std::printf("  detection latency, reported scope's crossing commit -> its row:        %s\n",
              percentiles(final_latency).c_str());
  std::printf("  last burst commit -> reported incident with all %zu phones in the table: %s\n",
              expected.final_phones, percentiles(full_after).c_str());
  std::printf("  runner settle after the last burst commit:                              %s\n",
              percentiles(settle).c_str());
  std::printf("  runner passes for the burst: %s; for the history: %s\n",
              percentiles(burst_passes, "").c_str(), percentiles(history_passes, "").c_str());
  std::printf("  burst committed in %s; history committed in %s; runner settle after it: %s\n",
              percentiles(burst_write).c_str(), percentiles(history_write).c_str(),
              percentiles(history_settle).c_str());
  const bool detected = std::any_of(final_latency.begin(), final_latency.end(),
                                    [](double v) { return !std::isnan(v); });
  std::vector<double> measured = final_latency;
  measured.erase(
      std::remove_if(measured.begin(), measured.end(), [](double v) { return std::isnan(v); }),
      measured.end());
  const double worst = measured.empty() ? NAN : *std::max_element(measured.begin(), measured.end());
  if (!detected) {
    std::printf(
        "  NOT DETECTED: the runner never wrote the %s incident that pure correlate() finds "
        "in the same events%s\n",
        scope_text(expected.final_scope).c_str(), "");
  } else {
    std::printf("  target (incident open within 1 s of the crossing event): %s (worst %.3f s)\n",
                worst <= 1.0 ? "met" : "MISSED", worst);
  }
  if (!table_ok_every_time) {
    std::printf(
        "  RUNNER WRONG: after settling, the incidents table is not what pure correlate() "
        "gives for the same events (%zu incidents, the largest %s with %zu phones); last "
        "table: %s\n",
        expected.incidents.size(), main_incident ? main_incident->id.c_str() : "-",
        expected.final_phones, table_problem.c_str());
  }

  // 3. One pass taken apart: the store read of the burst's range, then correlate().
  {
    const fs::path dir = fs::temp_directory_path() /
                         ("regwatch-correlation-bench-" + std::to_string(getpid()) + "-pass");
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string db = (dir / "regwatch.db").string();
    pass_breakdown(db, history, range_from, range_to, settings);
    fs::remove_all(dir);
  }
  std::printf("\npeak RSS of the whole run: %.0f MiB\n", mib(peak_rss_kib()));
  return 0;
}
