// The real-world corpus (tests/data/realworld/syslog/corpus.jsonl: 173 Cisco lines from other
// projects' test suites and Cisco's documents, each with what those projects extract from it,
// and found.jsonl: lines found since; README.md beside them says where each group comes from)
// compared field by field with what the parser makes of it.
//
// Where regwatch differs from a peer on purpose, the line is listed in kDeliberate with why;
// every other difference fails. A listed difference that no longer occurs fails too, so the
// list never outlives its reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/syslog/syslog_parser.h"
#include "common/event_kind.h"
#include "common/time_format.h"

namespace regwatch::agent::syslog {
namespace {

using nlohmann::json;

// 2026-11-23T12:00:00Z: the agent's clock when the lines arrive.
constexpr int64_t kNow = 1'795'435'200'000'000;

struct Deliberate {
  const char* line_part;  // a part of the line that names it in the corpus
  const char* field;
  const char* why;
};

// Differences we keep on purpose: where the peer is wrong.
constexpr Deliberate kDeliberate[] = {
    {"<189>521: router1: *Nov 14 08:30:56.699: %LINK-5-CHANGED", "timestamp",
     "napalm-logs' yang.json gives 2017-10-14 for a line that says Nov 14, a month before the "
     "line's own date; we keep the line's date (and, '*' being unsynchronised, use the receive "
     "time as event time)"},
    {"NetAuto_CSRv-03: May 31 15:25:53.743 MEST:", "timestamp",
     "napalm-logs reads MEST (Central European Summer Time, UTC+2) as UTC; 15:25:53 MEST is "
     "13:25:53Z"},
    {"test-ztp: May 31 15:54:54.567 MEST:", "timestamp",
     "napalm-logs reads MEST (UTC+2) as UTC; 15:54:54 MEST is 13:54:54Z"},
};

struct CorpusLine {
  std::string line;
  std::string group;
  json expect;
};

// corpus.jsonl (the shared corpus) and found.jsonl (lines we found since, same format).
std::vector<CorpusLine> read_corpus() {
  std::vector<CorpusLine> lines;
  for (const char* file : {"corpus.jsonl", "found.jsonl"}) {
    std::ifstream in(std::string(REGWATCH_TEST_DATA_DIR) + "/realworld/syslog/" + file);
    EXPECT_TRUE(in.good()) << file;
    std::string text;
    while (std::getline(in, text)) {
      const json entry = json::parse(text);
      lines.push_back({entry.at("line").get<std::string>(), entry.at("group").get<std::string>(),
                       entry.at("expect")});
    }
  }
  return lines;
}

// "+02:00" -> 120.
int offset_minutes(const std::string& text) {
  if (text.size() != 6) return 0;
  const int sign = text[0] == '-' ? -1 : 1;
  return sign * (std::stoi(text.substr(1, 2)) * 60 + std::stoi(text.substr(4, 2)));
}

// The device's time as the corpus writes it: "2000-02-08T04:00:47.272Z". Without a year in
// the line only month..millisecond count; a peer that keeps whole seconds compares seconds.
std::string comparable_time(const std::string& rfc3339, bool year_in_line, bool whole_seconds) {
  std::string t = rfc3339;
  if (whole_seconds && t.size() >= 19) t = t.substr(0, 19);
  if (!year_in_line && t.size() >= 5) t = t.substr(5);
  return t;
}

// "field: got X, expected Y" for every field that differs.
std::map<std::string, std::string> differences(const CorpusLine& c) {
  LineContext context;
  context.receive_time_us = kNow;
  context.reference_time_us = kNow;
  context.assumed_utc_offset_minutes = offset_minutes(c.expect.value("tz_assumed", "+00:00"));
  const ParsedLine parsed = parse_syslog_line(c.line, context);
  const auto& event = parsed.event;
  const auto& e = c.expect;
  std::map<std::string, std::string> out;
  auto compare = [&](const std::string& field, const std::string& got, const std::string& want) {
    if (got != want) out[field] = "got '" + got + "', expected '" + want + "'";
  };
  // A peer's expectation, when it has one for this field (null: the peer named none).
  auto wanted = [&](const char* field) -> std::optional<std::string> {
    if (!e.contains(field) || e[field].is_null()) return std::nullopt;
    return e[field].is_string() ? e[field].get<std::string>() : e[field].dump();
  };
  if (auto want = wanted("host")) compare("host", event.origin(), *want);
  if (auto want = wanted("timestamp")) {
    const bool year = e.value("year_in_line", true);
    const bool seconds = e.value("second_precision", false);
    const int64_t device_us = event.time_info().device_time_us();
    compare(
        "timestamp",
        device_us == 0 ? "(none)" : comparable_time(format_rfc3339_ms(device_us), year, seconds),
        comparable_time(*want, year, seconds));
  }
  if (auto want = wanted("clock_marker"))
    compare("clock_marker", event.time_info().clock_marker(), *want);
  if (auto want = wanted("facility")) compare("facility", event.syslog().app(), *want);
  if (auto want = wanted("severity"))
    compare("severity", std::to_string(event.syslog().severity()), *want);
  if (auto want = wanted("mnemonic")) compare("mnemonic", event.syslog().mnemonic(), *want);
  if (auto want = wanted("interface")) {
    const std::string& named =
        event.has_interface() ? event.interface().interface() : event.syslog().interface();
    compare("interface", named, *want);
  }
  if (auto want = wanted("kind")) compare("kind", kind_name(event.kind()), *want);
  if (auto want = wanted("cpu_role")) compare("cpu_role", event.cpu().role(), *want);
  if (auto want = wanted("cpu_percent"))
    compare("cpu_percent", std::to_string(static_cast<int>(event.cpu().percent())), *want);
  return out;
}

TEST(RealWorldSyslogCorpus, EveryLineParsesAsItsPeersExpectSaveTheListedExceptions) {
  const auto corpus = read_corpus();
  ASSERT_GE(corpus.size(), 175u);
  std::set<std::pair<std::string, std::string>> deliberate_seen;
  std::map<std::string, int> failed_by_field;
  for (const auto& c : corpus) {
    for (const auto& difference : differences(c)) {
      const std::string& field = difference.first;
      const std::string& what = difference.second;
      const auto listed =
          std::find_if(std::begin(kDeliberate), std::end(kDeliberate), [&](const Deliberate& d) {
            return field == d.field && *d.line_part != '\0' &&
                   c.line.find(d.line_part) != std::string::npos;
          });
      if (listed != std::end(kDeliberate)) {
        deliberate_seen.emplace(listed->line_part, listed->field);
        continue;
      }
      ++failed_by_field[field];
      ADD_FAILURE() << field << ": " << what << "\n  line: " << c.line << "\n  group: " << c.group;
    }
  }
  for (const auto& d : kDeliberate) {
    if (*d.line_part == '\0') continue;
    EXPECT_TRUE(deliberate_seen.count({d.line_part, d.field}))
        << "listed as a deliberate difference but parsed as expected now: " << d.field << " of '"
        << d.line_part << "' (" << d.why << ")";
  }
  for (const auto& [field, n] : failed_by_field) std::cout << field << ": " << n << " differ\n";
}

// Every line, parsed, serialises and keeps its text: no line is lost whatever it looks like.
TEST(RealWorldSyslogCorpus, EveryLineIsKeptWhole) {
  for (const auto& c : read_corpus()) {
    LineContext context;
    context.receive_time_us = kNow;
    const ParsedLine parsed = parse_syslog_line(c.line, context);
    EXPECT_EQ(parsed.event.raw(), c.line);
    std::string bytes;
    EXPECT_TRUE(parsed.event.SerializeToString(&bytes));
  }
}

}  // namespace
}  // namespace regwatch::agent::syslog
