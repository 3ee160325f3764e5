// Spool recovery: damaged records kept aside and reported, torn tails, stale state files.
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

// The records a reopened spool holds, and the drop reports among them.
struct Reread {
  std::vector<uint64_t> seqs;  // of the events that are not drop reports, in read order
  std::vector<v1::Event> reports;
};
Reread reread(Spool& spool) {
  Reread out;
  for (auto& e : spool.read_after(0, 1'000'000, 1u << 30)) {
    if (e.kind() == v1::AGENT_DROPS) {
      out.reports.push_back(std::move(e));
    } else {
      out.seqs.push_back(e.seq());
    }
  }
  return out;
}

// Where each record of a segment file starts.
std::vector<size_t> record_offsets(const fs::path& segment) {
  std::ifstream in(segment, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<size_t> offsets;
  std::string_view rest(bytes);
  while (!rest.empty()) {
    const auto record = decode_record(rest);
    if (record.status != DecodeStatus::kOk) break;
    offsets.push_back(bytes.size() - rest.size());
    rest.remove_prefix(record.size);
  }
  return offsets;
}

std::vector<fs::path> segments_in(const fs::path& dir) {
  std::vector<fs::path> segments;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".log") segments.push_back(e.path());
  }
  std::sort(segments.begin(), segments.end());
  return segments;
}

std::vector<fs::path> damaged_copies(const fs::path& dir) {
  std::vector<fs::path> copies;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find(".damaged-") != std::string::npos) {
      copies.push_back(e.path());
    }
  }
  return copies;
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void flip_bit(const fs::path& path, size_t offset, int bit) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  const char c = static_cast<char>(f.get());
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ (1 << bit)));
}

// Issue 17: one flipped bit used to throw away every good record after it, unreported.
// Wherever in a record the bit lands (its length, its CRC, its seq, its payload), recovery
// loses that record only, resynchronises on the next, reports the loss and keeps the
// damaged segment aside.
TEST_F(SpoolTest, FlippedBitLosesOnlyItsRecordWhichIsReportedAndKeptAside) {
  struct Flip {
    size_t offset_in_record;
    int bit;
  };
  for (const Flip flip : {Flip{0, 3}, Flip{2, 7}, Flip{3, 6}, Flip{5, 0}, Flip{9, 2}, Flip{15, 7},
                          Flip{16, 1}, Flip{120, 4}}) {
    SCOPED_TRACE("byte " + std::to_string(flip.offset_in_record) + " bit " +
                 std::to_string(flip.bit));
    fs::remove_all(dir_ / "spool");
    const auto o = options();
    {
      auto spool = open(o);
      for (int i = 0; i < 1000; ++i) ASSERT_TRUE(spool->append(line_event(i)));
    }
    const auto segments = segments_in(o.dir);
    ASSERT_GT(segments.size(), 4u);
    const fs::path middle = segments[segments.size() / 2];
    const auto offsets = record_offsets(middle);
    ASSERT_GT(offsets.size(), 10u);
    const size_t victim = offsets.size() / 2;
    flip_bit(middle, offsets[victim] + flip.offset_in_record, flip.bit);
    const std::string damaged = file_bytes(middle);

    auto spool = open(o);
    const auto got = reread(*spool);
    ASSERT_EQ(got.seqs.size(), 999u);
    EXPECT_TRUE(std::is_sorted(got.seqs.begin(), got.seqs.end()));
    EXPECT_EQ(got.seqs.front(), 1u);
    EXPECT_EQ(got.seqs.back(), 1000u);
    ASSERT_EQ(got.reports.size(), 1u);
    EXPECT_EQ(got.reports[0].agent_drops().reason(), "spool_corrupt_record");
    EXPECT_EQ(got.reports[0].agent_drops().dropped(), 1u);
    EXPECT_EQ(got.reports[0].agent_drops().dropped_total(), 1u);
    EXPECT_GT(got.reports[0].seq(), 1000u);
    EXPECT_EQ(spool->stats().dropped_total, 1u);
    EXPECT_EQ(spool->stats().corrupt_records, 1u);
    // The damaged segment is kept as it was found, and not taken for a segment.
    const auto copies = damaged_copies(o.dir);
    ASSERT_EQ(copies.size(), 1u);
    EXPECT_EQ(file_bytes(copies[0]), damaged);
    EXPECT_EQ(segments_in(o.dir).size(), segments.size());
    spool.reset();

    // The segment was rewritten without the damage: the next open finds nothing to report.
    spool = open(o);
    const auto again = reread(*spool);
    EXPECT_EQ(again.seqs, got.seqs);
    EXPECT_EQ(again.reports.size(), 1u);
    EXPECT_EQ(spool->stats().corrupt_records, 0u);
    EXPECT_EQ(damaged_copies(o.dir).size(), 1u);
  }
}

TEST_F(SpoolTest, AnInterruptedRewriteIsRemovedAndItsSegmentKept) {
  const auto o = options();
  {
    auto spool = open(o);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(spool->append(line_event(i)));
  }
  const fs::path segment = segments_in(o.dir).back();
  const fs::path rewrite = segment.string() + ".rewrite";
  { std::ofstream(rewrite, std::ios::binary) << "half a rewrite"; }
  auto spool = open(o);
  EXPECT_FALSE(fs::exists(rewrite));
  EXPECT_EQ(reread(*spool).seqs.size(), 10u);
  EXPECT_EQ(spool->stats().corrupt_records, 0u);
}

TEST_F(SpoolTest, CorruptRecordsAlreadyAcknowledgedAreNoDrop) {
  const auto o = options();
  {
    auto spool = open(o);
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(spool->append(line_event(i)));
    spool->ack(300);  // the last segment stays, wholly acknowledged
  }
  const auto segments = segments_in(o.dir);
  ASSERT_EQ(segments.size(), 1u);
  flip_bit(segments[0], record_offsets(segments[0])[1] + 20, 0);
  auto spool = open(o);
  EXPECT_TRUE(reread(*spool).reports.empty());
  EXPECT_EQ(spool->stats().dropped_total, 0u);
  EXPECT_GE(spool->last_seq(), 300u);
}

// Issue 17: a torn tail was lost with no drop report.
TEST_F(SpoolTest, TornTailIsReportedAsOneDrop) {
  const auto o = options();
  {
    auto spool = open(o);
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(spool->append(line_event(i)));
  }
  std::string record;
  encode_record(51, line_event(50).SerializeAsString(), record);
  const fs::path last = segments_in(o.dir).back();
  { std::ofstream(last, std::ios::app | std::ios::binary) << record.substr(0, 40); }

  auto spool = open(o);
  const auto got = reread(*spool);
  EXPECT_EQ(got.seqs.size(), 50u);
  ASSERT_EQ(got.reports.size(), 1u);
  EXPECT_EQ(got.reports[0].agent_drops().reason(), "spool_torn_tail");
  EXPECT_EQ(got.reports[0].agent_drops().dropped(), 1u);
  EXPECT_EQ(spool->stats().corrupt_records, 1u);
  // A torn tail is what a kill leaves, not damage: nothing is kept aside.
  EXPECT_TRUE(damaged_copies(o.dir).empty());
  // The torn record's seq is not given again.
  ASSERT_TRUE(spool->append(line_event(51)));
  EXPECT_GT(spool->last_seq(), 52u);
}

// Issue 17: after a power loss the state file may be older than the segments. The next seq
// comes from the segments too, including the header of a record torn at the tail, so a seq
// the shipper may already have sent is never given to another event.
TEST_F(SpoolTest, StateFileOlderThanTheSegmentsReusesNoSeq) {
  const auto o = options();
  const fs::path old_state = dir_ / "state.old";
  {
    auto spool = open(o);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(spool->append(line_event(i)));
    spool->flush();
    fs::copy_file(o.dir / "state", old_state);
    for (int i = 10; i < 20; ++i) ASSERT_TRUE(spool->append(line_event(i)));
  }
  fs::copy_file(old_state, o.dir / "state", fs::copy_options::overwrite_existing);
  // Record 20 was written but only its first bytes reached the disk.
  const fs::path last = segments_in(o.dir).back();
  const auto offsets = record_offsets(last);
  fs::resize_file(last, offsets.back() + 24);

  auto spool = open(o);
  EXPECT_GE(spool->last_seq(), 20u);
  const auto got = reread(*spool);
  EXPECT_EQ(got.seqs.size(), 19u);
  ASSERT_TRUE(spool->append(line_event(20)));
  const auto events = spool->read_after(19, 10, 1 << 20);
  ASSERT_FALSE(events.empty());
  for (const auto& e : events) EXPECT_GT(e.seq(), 20u) << "seq 20 reused";
}

}  // namespace
}  // namespace regwatch::agent::spool
