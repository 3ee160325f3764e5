// The record format: finding the next record after damage, scanning, limits.
#include "agent/spool/spool.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "agent/spool/spool_record.h"

#include "tests/spool/spool_fixture.h"

namespace regwatch::agent::spool {
namespace {

namespace fs = std::filesystem;
using testing_support::line_event;
using testing_support::SpoolTest;

TEST(SpoolRecord, FindsTheNextRecordAfterDamage) {
  std::string bytes;
  encode_record(5, "five", bytes);
  const size_t second = bytes.size();
  encode_record(6, "six", bytes);
  bytes[3] ^= 0x10;  // the first record's length
  ASSERT_NE(decode_record(bytes).status, DecodeStatus::kOk);
  const auto next = find_next_record(bytes, 4);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, second);
  // A record whose seq is not after the last good one is not a resynchronisation point, nor
  // is one whose seq could not follow it in the bytes skipped.
  EXPECT_FALSE(find_next_record(bytes, 6).has_value());
  std::string far;
  encode_record(1000, "far", far);
  EXPECT_FALSE(find_next_record(std::string(16, '\0') + far, 4).has_value());
  EXPECT_FALSE(find_next_record(std::string(3, 'z'), 0).has_value());
}

TEST(SpoolRecord, ScanSegmentKeepsGoodRecordsAroundDamage) {
  std::string bytes;
  for (uint64_t seq = 10; seq < 20; ++seq) encode_record(seq, std::string(30, 'p'), bytes);
  const size_t record = bytes.size() / 10;
  bytes[3 * record + 20] ^= 1;  // seq 13
  bytes[7 * record + 9] ^= 1;   // seq 17's seq
  std::string torn;
  encode_record(20, "torn", torn);
  bytes += torn.substr(0, 18);
  const auto scan = scan_segment(bytes, 10);
  EXPECT_EQ(scan.count, 8u);
  EXPECT_EQ(scan.last_seq, 19u);
  EXPECT_EQ(scan.good_bytes, 8 * record);
  ASSERT_EQ(scan.damaged.size(), 3u);
  EXPECT_EQ(scan.damaged[0].after_seq, 12u);
  EXPECT_EQ(scan.damaged[0].next_seq, 14u);
  EXPECT_EQ(scan.damaged[1].after_seq, 16u);
  EXPECT_EQ(scan.damaged[1].next_seq, 18u);
  EXPECT_FALSE(scan.damaged[1].torn_tail);
  EXPECT_TRUE(scan.damaged[2].torn_tail);
  EXPECT_EQ(scan.damaged[2].next_seq, 0u);
  EXPECT_EQ(scan.damaged[2].tail_seq, 20u);
}

TEST(SpoolRecord, LimitsAreEnforced) {
  std::string bytes;
  encode_record(7, std::string(kMaxRecordPayloadBytes, 'a'), bytes);
  EXPECT_EQ(decode_record(bytes).status, DecodeStatus::kOk);
  std::string too_big;
  encode_record(7, std::string(kMaxRecordPayloadBytes + 1, 'a'), too_big);
  EXPECT_EQ(decode_record(too_big).status, DecodeStatus::kCorrupt);
  EXPECT_EQ(decode_record(std::string_view(bytes).substr(0, 20)).status, DecodeStatus::kNeedMore);
}

}  // namespace
}  // namespace regwatch::agent::spool
