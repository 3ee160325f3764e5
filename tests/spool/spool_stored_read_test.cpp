// read_stored_after: the events' bytes as appended, and a stored record the collector could not
// parse (written cut short, or with a string that is not UTF-8, under a good CRC) skipped,
// counted and reported as a drop, never handed out.
#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "agent/spool/spool.h"
#include "agent/spool/spool_record.h"

#include "tests/spool/spool_fixture.h"

namespace regwatch::agent::spool {
namespace {

namespace fs = std::filesystem;
using testing_support::line_event;
using testing_support::SpoolTest;

struct Stored {
  uint64_t seq = 0;
  std::string bytes;
};

struct StoredRead {
  std::vector<Stored> events;
  uint64_t read_to = 0;
};

StoredRead read_stored(Spool& spool, uint64_t after_seq) {
  StoredRead read;
  read.read_to =
      spool.read_stored_after(after_seq, 1000, 1 << 20, [&](uint64_t seq, std::string_view bytes) {
        read.events.push_back({seq, std::string(bytes)});
      });
  return read;
}

fs::path only_segment(const fs::path& dir) {
  fs::path found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") {
      EXPECT_TRUE(found.empty()) << "more than one segment";
      found = entry.path();
    }
  }
  return found;
}

TEST_F(SpoolTest, StoredBytesAreTheAppendedEventsWithAgentIdAndSeq) {
  auto spool = open(options());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(spool->append(line_event(i)));
  const StoredRead read = read_stored(*spool, 1);
  ASSERT_EQ(read.events.size(), 4u);
  EXPECT_EQ(read.read_to, 5u);
  for (size_t i = 0; i < read.events.size(); ++i) {
    v1::Event expected = line_event(static_cast<int>(i) + 1);
    expected.set_agent_id("agent-1");
    expected.set_seq(i + 2);
    EXPECT_EQ(read.events[i].seq, i + 2);
    EXPECT_EQ(read.events[i].bytes, expected.SerializeAsString()) << "seq " << i + 2;
  }
  // The parsed read gives the same events.
  const auto parsed = spool->read_after(1, 1000, 1 << 20);
  ASSERT_EQ(parsed.size(), read.events.size());
  for (size_t i = 0; i < parsed.size(); ++i) {
    EXPECT_EQ(parsed[i].SerializeAsString(), read.events[i].bytes);
  }
  EXPECT_EQ(spool->stats().unparsable_records, 0u);
}

TEST_F(SpoolTest, AStoredRecordTheCollectorCouldNotParseIsDroppedCountedAndReported) {
  const google::protobuf::LogSilencer quiet;  // protobuf logs the string that is not UTF-8
  {
    auto spool = open(options());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(spool->append(line_event(i)));
  }
  // Records 4 and 5 under good CRCs (what a bug of ours, or damage before the CRC was taken,
  // leaves): 4 cut short in the middle of its raw line, 5 with a string that is not UTF-8.
  // Then 6, a good one.
  std::string records;
  v1::Event cut = line_event(3);
  cut.set_agent_id("agent-1");
  cut.set_seq(4);
  const std::string cut_bytes = cut.SerializeAsString();
  encode_record(4, std::string_view(cut_bytes).substr(0, cut_bytes.size() / 2), records);
  v1::Event not_utf8 = line_event(4);
  not_utf8.set_agent_id("agent-1");
  not_utf8.set_seq(5);
  not_utf8.set_raw("line 5 \xc3");
  encode_record(5, not_utf8.SerializeAsString(), records);
  v1::Event good = line_event(5);
  good.set_agent_id("agent-1");
  good.set_seq(6);
  encode_record(6, good.SerializeAsString(), records);
  std::ofstream(only_segment(dir_ / "spool"), std::ios::binary | std::ios::app) << records;

  auto spool = open(options());
  ASSERT_EQ(spool->last_seq(), 6u);
  const StoredRead read = read_stored(*spool, 0);
  std::vector<uint64_t> seqs;
  for (const auto& event : read.events) seqs.push_back(event.seq);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3, 6}));
  EXPECT_EQ(read.read_to, 6u);
  EXPECT_EQ(spool->stats().unparsable_records, 2u);
  EXPECT_EQ(spool->stats().dropped_total, 2u);

  // Reported at once, after the records read.
  ASSERT_EQ(spool->last_seq(), 7u);
  const auto reports = spool->read_after(6, 10, 1 << 20);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].kind(), v1::AGENT_DROPS);
  EXPECT_EQ(reports[0].agent_drops().reason(), "spool_unreadable_record");
  EXPECT_EQ(reports[0].agent_drops().dropped(), 2u);
  EXPECT_EQ(reports[0].agent_drops().dropped_total(), 2u);

  // Read again (a resend): skipped again, counted once.
  const StoredRead again = read_stored(*spool, 0);
  EXPECT_EQ(again.events.size(), 5u);  // 1, 2, 3, 6 and the report
  EXPECT_EQ(spool->stats().unparsable_records, 2u);
  EXPECT_EQ(spool->stats().dropped_total, 2u);
  EXPECT_EQ(spool->last_seq(), 7u);  // no second report
}

// A skipped record at the end: the read says it was read, so the next read starts after it.
TEST_F(SpoolTest, ASkippedLastRecordIsNotReadAgainAndAgain) {
  {
    auto spool = open(options());
    ASSERT_TRUE(spool->append(line_event(0)));
  }
  std::string record;
  encode_record(2, "\x0a\x7f", record);  // agent_id claims 127 bytes, has none
  std::ofstream(only_segment(dir_ / "spool"), std::ios::binary | std::ios::app) << record;
  auto spool = open(options());
  spool->close();  // no report can follow it: the skipped record stays the last one
  const StoredRead read = read_stored(*spool, 1);
  EXPECT_TRUE(read.events.empty());
  EXPECT_EQ(read.read_to, 2u);
  EXPECT_EQ(spool->stats().unparsable_records, 1u);
  EXPECT_EQ(read_stored(*spool, 2).read_to, 0u);
}

}  // namespace
}  // namespace regwatch::agent::spool
