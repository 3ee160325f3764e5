// common/metrics: the families, the text format, and promtool's verdict on an exposition.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/metrics/registry.h"
#include "common/metrics/text_format.h"

namespace regwatch::metrics {
namespace {

TEST(MetricsTextFormat, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_EQ(escape_help("a\"b\\c\nd"), "a\"b\\\\c\\nd");
}

TEST(MetricsTextFormat, FormatsValues) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(42), "42");
  EXPECT_EQ(format_value(-3), "-3");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(1764000000.5), "1764000000.5");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(MetricsTextFormat, ChecksNames) {
  EXPECT_TRUE(valid_metric_name("regwatch_events_stored_total"));
  EXPECT_TRUE(valid_metric_name("job:rate:sum"));
  EXPECT_FALSE(valid_metric_name("9lives"));
  EXPECT_FALSE(valid_metric_name("a-b"));
  EXPECT_FALSE(valid_metric_name(""));
  EXPECT_TRUE(valid_label_name("cm_node"));
  EXPECT_FALSE(valid_label_name("__name__"));
  EXPECT_FALSE(valid_label_name("le"));
  EXPECT_FALSE(valid_label_name("a:b"));
}

TEST(MetricsRegistry, RendersCountersWithLabels) {
  Registry registry;
  auto& stored = registry.counter("x_events_total", "Events stored.", {"source", "kind"});
  stored.with({"syslog", "phone_unregistered"}).inc(3);
  stored.with({"snmp_trap", "a\"b"}).inc();
  EXPECT_EQ(registry.exposition(),
            "# HELP x_events_total Events stored.\n"
            "# TYPE x_events_total counter\n"
            "x_events_total{source=\"snmp_trap\",kind=\"a\\\"b\"} 1\n"
            "x_events_total{source=\"syslog\",kind=\"phone_unregistered\"} 3\n");
}

TEST(MetricsRegistry, ListsFamiliesByNameAndEmptyOnesByHelpAndType) {
  Registry registry;
  registry.gauge("b_gauge", "B.").with({}).set(1.5);
  registry.counter("a_total", "A.");
  EXPECT_EQ(registry.exposition(),
            "# HELP a_total A.\n# TYPE a_total counter\n"
            "# HELP b_gauge B.\n# TYPE b_gauge gauge\nb_gauge 1.5\n");
}

TEST(MetricsRegistry, RendersHistogramBucketsCumulatively) {
  Registry registry;
  auto& latency = registry.histogram("x_seconds", "Latency.", {}, {0.1, 1});
  auto& child = latency.with({});
  child.observe(0.05);
  child.observe(0.1);  // le: equal to a bound counts in that bucket
  child.observe(0.5);
  child.observe(7);
  EXPECT_EQ(registry.exposition(),
            "# HELP x_seconds Latency.\n# TYPE x_seconds histogram\n"
            "x_seconds_bucket{le=\"0.1\"} 2\n"
            "x_seconds_bucket{le=\"1\"} 3\n"
            "x_seconds_bucket{le=\"+Inf\"} 4\n"
            "x_seconds_sum 7.65\n"
            "x_seconds_count 4\n");
}

TEST(MetricsRegistry, HistogramWithLabelsPutsLeLast) {
  Registry registry;
  registry.histogram("x_seconds", "L.", {"target"}, {1}).with({"cucm1"}).observe(2);
  EXPECT_NE(registry.exposition().find("x_seconds_bucket{target=\"cucm1\",le=\"+Inf\"} 1\n"),
            std::string::npos);
}

TEST(MetricsRegistry, RegisteringAgainReturnsTheSameFamily) {
  Registry registry;
  auto& a = registry.counter("x_total", "X.", {"input"});
  auto& b = registry.counter("x_total", "X.", {"input"});
  EXPECT_EQ(&a, &b);
  EXPECT_EQ(&a.with({"syslog"}), &b.with({"syslog"}));
}

TEST(MetricsRegistry, RefusesProgrammingErrors) {
  Registry registry;
  registry.counter("x_total", "X.", {"input"});
  EXPECT_THROW(registry.counter("x_total", "X.", {"other"}), std::invalid_argument);
  EXPECT_THROW(registry.gauge("x_total", "X.", {"input"}), std::invalid_argument);
  EXPECT_THROW(registry.counter("x_count", "no _total"), std::invalid_argument);
  EXPECT_THROW(registry.gauge("bad-name", "X."), std::invalid_argument);
  EXPECT_THROW(registry.gauge("g", "X.", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h", "X.", {}, {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.counter("x_total", "X.", {"input"}).with({"a", "b"}),
               std::invalid_argument);
}

TEST(MetricsRegistry, CallbacksRunAtScrapeTimeUntilTheirHandleGoes) {
  Registry registry;
  uint64_t lines = 5;
  {
    auto handle = registry.callback("x_lines_total", "Lines.", MetricType::counter, {"input"}, [&] {
      return std::vector<Sample>{{{"syslog_udp"}, 1.0 * lines}};
    });
    lines = 7;
    EXPECT_NE(registry.exposition().find("x_lines_total{input=\"syslog_udp\"} 7\n"),
              std::string::npos);
  }
  const auto after = registry.exposition();
  EXPECT_EQ(after.find("syslog_udp"), std::string::npos);
  EXPECT_NE(after.find("# TYPE x_lines_total counter\n"), std::string::npos);
}

TEST(MetricsRegistry, CountsFromManyThreads) {
  Registry registry;
  auto& family = registry.counter("x_total", "X.", {"t"});
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      auto& child = family.with({"same"});
      for (int i = 0; i < 10000; ++i) child.inc();
      for (int i = 0; i < 100; ++i) (void)registry.exposition();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(family.with({"same"}).value(), 40000u);
}

// A rendered exposition with every kind of family passes Prometheus's own linter.
TEST(MetricsRegistry, PromtoolAcceptsTheExposition) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool is not installed";
  }
  Registry registry;
  registry.gauge("regwatch_build_info", "Version and revision; always 1.", {"version", "revision"})
      .with({"0.1.0", "abc123"})
      .set(1);
  registry.counter("regwatch_events_stored_total", "Events stored.", {"source", "kind"})
      .with({"syslog", "phone \"x\"\\\n"})
      .inc(2);
  auto& latency =
      registry.histogram("regwatch_store_commit_seconds", "Commit latency.", {}, latency_buckets());
  latency.with({}).observe(0.003);
  auto handle =
      registry.callback("regwatch_spool_bytes", "Spool bytes.", MetricType::gauge, {}, [] {
        return std::vector<Sample>{{{}, 4096}};
      });
  const auto path = std::filesystem::temp_directory_path() /
                    ("metrics_test_" + std::to_string(::getpid()) + ".prom");
  std::ofstream(path) << registry.exposition();
  const std::string command = "promtool check metrics < " + path.string() + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = ::pclose(pipe);
  std::filesystem::remove(path);
  EXPECT_EQ(status, 0) << output;
}

}  // namespace
}  // namespace regwatch::metrics
