// How long the dashboard's store reads take on a big store, and migration 013's backfill: run
// on demand against a schema-12 store made by make_big_store.py beside this file (not created
// here: 10 M events take minutes), e.g.
//   tests/store/make_big_store.py /tmp/events.db 10000000
//   REGWATCH_BENCH_DB=/tmp/events.db build/tests/store/store_test --gtest_filter='SummaryTiming*'
// The store is migrated in place. Skipped when REGWATCH_BENCH_DB is unset (every CI run).
// Measured on the 2-core machine, loaded, 10 M events (2026-12-06): migration 35.5 s once; every
// read below 1 ms (inputs 0.08, phone by name 0.04, by MAC 0.04, by IP 0.27, by a piece of a
// description 0.94, CM nodes 0.13, event pages 0.03-0.25); status's GROUP BY 7.6 s.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <string>

#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"

namespace regwatch::collector::store {
namespace {

using PhoneMatch = EventSource::PhoneMatch;

double ms_of(const std::function<void()>& run) {
  const auto start = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

TEST(SummaryTiming, DashboardReadsOnABigStore) {
  const char* path = std::getenv("REGWATCH_BENCH_DB");
  if (!path) GTEST_SKIP() << "REGWATCH_BENCH_DB names no store";
  std::unique_ptr<EventWriter> writer;
  std::cout << "open (migrating if older): "
            << ms_of([&] { writer = std::move(EventWriter::open(path)).value(); }) << " ms\n";
  auto reader = std::move(EventReader::open(path)).value();
  const auto report = [](const std::string& what, double ms) {
    std::cout << what << ": " << ms << " ms\n";
    EXPECT_LT(ms, 100.0) << what;
  };
  size_t inputs = 0;
  report("inputs",
         ms_of([&] { inputs = static_cast<size_t>(reader->inputs(10'000)->inputs_size()); }));
  std::cout << "  (" << inputs << " inputs)\n";
  const std::pair<PhoneMatch, std::string> searches[] = {
      {PhoneMatch::kDevice, "SEP00000000A0B1"},
      {PhoneMatch::kDevicePrefix, "sep0000000001"},
      {PhoneMatch::kMac, "00:00:00:00:a0:b1"},
      {PhoneMatch::kIp, "10.0.3.7"},
      {PhoneMatch::kText, "desk 99"}};
  for (const auto& search : searches) {
    // Not a structured binding: clang 14 cannot capture one in a lambda.
    const auto how = search.first;
    const auto& value = search.second;
    size_t found = 0;
    report("find_phones " + value,
           ms_of([&] { found = reader->find_phones(how, value, 21)->size(); }));
    std::cout << "  (" << found << " found)\n";
  }
  size_t nodes = 0;
  report("latest_registered_phones",
         ms_of([&] { nodes = reader->latest_registered_phones(INT64_MAX, 1000)->size(); }));
  std::cout << "  (" << nodes << " nodes)\n";
  v1::EventQuery page;
  page.set_limit(100);
  std::string cursor;
  report("events page 1", ms_of([&] { cursor = reader->query(page)->next_cursor(); }));
  for (int i = 2; i <= 3; ++i) {
    page.set_cursor(cursor);
    report("events page " + std::to_string(i),
           ms_of([&] { cursor = reader->query(page)->next_cursor(); }));
  }
  page.set_oldest_first(true);
  page.clear_cursor();
  page.set_device("SEP00000000A0B1");
  report("device page 1 (oldest first)",
         ms_of([&] { cursor = reader->query(page)->next_cursor(); }));
  page.set_cursor(cursor);
  report("device page 2", ms_of([&] { EXPECT_TRUE(reader->query(page).ok()); }));
  // The GROUP BY over the events the summaries avoid, for comparison.
  std::cout << "status (GROUP BY agent over the events): "
            << ms_of([&] { EXPECT_TRUE(reader->status().ok()); }) << " ms\n";
}

}  // namespace
}  // namespace regwatch::collector::store
