// Query latency on a large history (default 10 million events): a phone's
// timeline and a one-hour time range, the two queries the indexes exist for.
// Baseline in the same run: the same queries forced to scan the table
// (NOT INDEXED), so the ratio shows what the indexes buy. Also prints SQLite's
// query plans. Usage: store_query_bench [--rows N] [--db PATH (kept if given)]
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/ingest/bare_insert.h"
#include "collector/store/event_reader.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr int64_t kStartUs = 1'763'600'000'000'000;  // 2025-11-20
constexpr int64_t kStepUs = 50'000;                  // one event per 50 ms: 10M span ~6 days
constexpr uint64_t kPhones = 50'000;

regwatch::v1::Event make_event(uint64_t i) {
  regwatch::v1::Event e;
  e.set_agent_id("bench");
  e.set_seq(i + 1);
  e.set_event_time_us(kStartUs + static_cast<int64_t>(i) * kStepUs);
  e.set_receive_time_us(e.event_time_us());
  e.set_origin(i % 3 ? "ucm-sub1" : "sw-3f-access");
  e.set_kind(i % 3 ? regwatch::v1::PHONE_UNREGISTERED : regwatch::v1::LINK_DOWN);
  if (i % 3) {
    char name[32];
    std::snprintf(name, sizeof name, "SEP%012llX", static_cast<unsigned long long>(i % kPhones));
    e.mutable_phone()->set_device_name(name);
    e.mutable_phone()->set_reason_code(13);
  } else {
    e.mutable_interface()->set_interface("GigabitEthernet1/0/" + std::to_string(i % 48));
  }
  e.set_raw(std::string(200, 'x'));
  return e;
}

double time_query(regwatch::collector::store::EventReader& reader,
                  const regwatch::v1::EventQuery& q, int& rows) {
  const auto start = Clock::now();
  auto result = reader.query(q);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  rows = result.ok() ? result->events_size() : -1;
  return ms;
}

double time_scan(sqlite3* db, const char* sql) {
  const auto start = Clock::now();
  sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void print_plan(sqlite3* db, const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  std::string explain = std::string("EXPLAIN QUERY PLAN ") + sql;
  if (sqlite3_prepare_v2(db, explain.c_str(), -1, &stmt, nullptr) != SQLITE_OK) return;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    std::printf("    plan: %s\n", reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3)));
  }
  sqlite3_finalize(stmt);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 10'000'000;
  std::string path;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--rows") == 0) rows = std::stoull(argv[i + 1]);
    if (std::strcmp(argv[i], "--db") == 0) path = argv[i + 1];
  }
  const bool keep = !path.empty();
  if (path.empty()) path = "/tmp/regwatch-query-bench-" + std::to_string(getpid()) + ".db";
  if (!std::filesystem::exists(path)) {
    std::printf("store_query_bench: inserting %llu events into %s ...\n",
                static_cast<unsigned long long>(rows), path.c_str());
    const auto start = Clock::now();
    const uint64_t chunk = 200'000;
    for (uint64_t base = 0; base < rows; base += chunk) {
      std::vector<regwatch::v1::Event> events;
      for (uint64_t i = base; i < std::min(rows, base + chunk); ++i)
        events.push_back(make_event(i));
      auto inserted = regwatch::bench::bare_batched_insert(path, events, 10'000);
      if (!inserted.ok()) {
        std::fprintf(stderr, "insert failed: %s\n", inserted.error().message.c_str());
        return 1;
      }
      std::fprintf(stderr, "\r  %llu%%",
                   static_cast<unsigned long long>((base + chunk) * 100 / rows));
    }
    std::fprintf(stderr, "\n");
    std::printf("  inserted in %.1f s\n",
                std::chrono::duration<double>(Clock::now() - start).count());
  }
  auto reader = regwatch::collector::store::EventReader::open(path);
  if (!reader.ok()) {
    std::fprintf(stderr, "%s\n", reader.error().message.c_str());
    return 1;
  }
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);

  regwatch::v1::EventQuery timeline;
  timeline.set_device("SEP00000000A5B6");
  timeline.set_oldest_first(true);
  timeline.set_limit(1000);
  regwatch::v1::EventQuery range;
  range.set_since_us(kStartUs + static_cast<int64_t>(rows / 2) * kStepUs);
  range.set_until_us(range.since_us() + 3600LL * 1'000'000);
  range.set_limit(100'000);
  int n1 = 0, n2 = 0;
  time_query(**reader, timeline, n1);  // warm the cache once, as a live collector would be
  const double timeline_ms = time_query(**reader, timeline, n1);
  const double range_ms = time_query(**reader, range, n2);
  char scan_timeline[256], scan_range[256];
  std::snprintf(scan_timeline, sizeof scan_timeline,
                "SELECT count(*) FROM events NOT INDEXED WHERE device = 'SEP00000000A5B6'");
  std::snprintf(scan_range, sizeof scan_range,
                "SELECT count(*) FROM events NOT INDEXED WHERE event_time_us >= %lld AND "
                "event_time_us < %lld",
                static_cast<long long>(range.since_us()), static_cast<long long>(range.until_us()));
  const double scan_ms = time_scan(db, scan_timeline);
  const double scan_range_ms = time_scan(db, scan_range);
  std::printf("store_query_bench: %llu events\n", static_cast<unsigned long long>(rows));
  std::printf(
      "  timeline of one phone (%d events):   %8.2f ms   full scan %9.1f ms   speed-up x%.0f\n", n1,
      timeline_ms, scan_ms, scan_ms / timeline_ms);
  print_plan(db, "SELECT id FROM events WHERE device = 'x' ORDER BY event_time_us");
  std::printf(
      "  one hour of events (%d events):     %8.2f ms   full scan %9.1f ms   speed-up x%.0f\n", n2,
      range_ms, scan_range_ms, scan_range_ms / range_ms);
  print_plan(db,
             "SELECT id FROM events WHERE event_time_us >= 1 AND event_time_us < 2 ORDER BY "
             "event_time_us DESC");
  sqlite3_close(db);
  if (!keep) std::filesystem::remove(path);
  return 0;
}
