// StoreMetrics: what a committed batch adds to the collector's metrics; and EventWriter counts
// only what it newly stored.
#include "collector/store/store_metrics.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "collector/store/event_writer.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

v1::Event event(const std::string& agent, uint64_t seq, v1::EventKind kind, v1::Source source) {
  v1::Event e;
  e.set_agent_id(agent);
  e.set_seq(seq);
  e.set_event_time_us(1'000'000 * static_cast<int64_t>(seq));
  e.set_origin("ucm-sub1");
  e.set_source(source);
  e.set_kind(kind);
  return e;
}

v1::Event registered(uint64_t seq, int64_t time_us, uint64_t count) {
  auto e = event("a", seq, v1::REGISTERED_PHONES, v1::SOURCE_SNMP_POLL);
  e.set_event_time_us(time_us);
  e.mutable_registered_phones()->set_registered(count);
  return e;
}

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(StoreMetrics, CountsStoredEventsBySourceAndKindAndTheDuplicates) {
  metrics::Registry registry;
  StoreMetrics store(registry);
  const auto a = event("agent-1", 1, v1::PHONE_UNREGISTERED, v1::SOURCE_SYSLOG);
  const auto b = event("agent-1", 2, v1::PHONE_UNREGISTERED, v1::SOURCE_SYSLOG);
  const auto c = event("agent-2", 1, v1::LINK_DOWN, v1::SOURCE_SYSLOG);
  const std::vector<const v1::Event*> batch{&a, &b, &c};
  store.committed(batch, 3, 1'700'000'000'500'000, 0.002);
  const auto text = registry.exposition();
  EXPECT_TRUE(
      has(text, "regwatch_events_stored_total{source=\"syslog\",kind=\"phone_unregistered\"} 2"))
      << text;
  EXPECT_TRUE(has(text, "regwatch_events_stored_total{source=\"syslog\",kind=\"link_down\"} 1"));
  EXPECT_TRUE(has(text, "regwatch_events_duplicate_total 3"));
  EXPECT_TRUE(
      has(text, "regwatch_agent_last_event_timestamp_seconds{agent=\"agent-2\"} 1700000000.5"));
  EXPECT_TRUE(has(text, "regwatch_store_commit_seconds_count 1"));
}

TEST(StoreMetrics, RegisteredPhonesFollowTheNewestCountByEventTime) {
  metrics::Registry registry;
  StoreMetrics store(registry);
  const auto newer = registered(1, 2'000'000, 950);
  const auto older = registered(2, 1'000'000, 990);  // a late poll result: not the newest
  store.committed(std::vector<const v1::Event*>{&newer}, 0, 0, 0);
  store.committed(std::vector<const v1::Event*>{&older}, 0, 0, 0);
  EXPECT_TRUE(
      has(registry.exposition(), "regwatch_cm_registered_phones{cm_node=\"ucm-sub1\"} 950"));
}

TEST(StoreMetrics, TheEventWriterCountsOnlyWhatItNewlyStored) {
  char templ[] = "/tmp/regwatch-store-metrics-XXXXXX";
  const std::filesystem::path dir = mkdtemp(templ);
  auto writer =
      EventWriter::open(regwatch::test::test_store_location((dir / "events.db").string()));
  ASSERT_TRUE(writer.ok()) << writer.error().message;
  auto& registry = metrics::default_registry();
  auto& stored = registry.counter("regwatch_events_stored_total", "", {"source", "kind"})
                     .with({"sccp", "keepalive_missed"});
  auto& duplicates = registry.counter("regwatch_events_duplicate_total", "").with({});
  const uint64_t stored_before = stored.value(), duplicates_before = duplicates.value();
  std::vector<v1::Event> batch{event("a", 1, v1::KEEPALIVE_MISSED, v1::SOURCE_SCCP),
                               event("a", 2, v1::KEEPALIVE_MISSED, v1::SOURCE_SCCP)};
  ASSERT_TRUE((*writer)->insert_batch(batch, 1).ok());
  ASSERT_TRUE((*writer)->insert_batch(batch, 2).ok());  // a resend: duplicates only
  EXPECT_EQ(stored.value() - stored_before, 2u);
  EXPECT_EQ(duplicates.value() - duplicates_before, 2u);
  writer->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace regwatch::collector::store
