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

namespace regwatch::agent::spool {
namespace {

namespace fs = std::filesystem;

v1::Event line_event(int i) {
  v1::Event e;
  e.set_event_time_us(1000 + i);
  e.set_kind(v1::SYSLOG_OTHER);
  e.set_raw("line " + std::to_string(i) + std::string(200, 'x'));
  return e;
}

class SpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-spool-XXXXXX";
    dir_ = mkdtemp(templ);
  }
  void TearDown() override { fs::remove_all(dir_); }
  SpoolOptions options(uint64_t max_bytes = 64 << 20, DropPolicy policy = DropPolicy::kDropOldest) {
    SpoolOptions o;
    o.dir = dir_ / "spool";
    o.max_bytes = max_bytes;
    o.segment_bytes = 16 << 10;
    o.policy = policy;
    o.fsync_interval = std::chrono::milliseconds(0);
    return o;
  }
  std::unique_ptr<Spool> open(const SpoolOptions& o) {
    auto spool = Spool::open(o, "agent-1", clock_);
    EXPECT_TRUE(spool.ok()) << (spool.ok() ? "" : spool.error().message);
    return std::move(spool).value();
  }
  size_t segment_files() const {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir_ / "spool"))
      n += e.path().extension() == ".log";
    return n;
  }
  ManualClock clock_{1'700'000'000'000'000};
  fs::path dir_;
};

TEST_F(SpoolTest, AssignsSeqsAndReadsBackInOrder) {
  auto spool = open(options());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(spool->append(line_event(i)));
  EXPECT_EQ(spool->last_seq(), 100u);
  auto events = spool->read_after(0, 30, 1 << 20);
  ASSERT_EQ(events.size(), 30u);
  EXPECT_EQ(events[0].seq(), 1u);
  EXPECT_EQ(events[0].agent_id(), "agent-1");
  EXPECT_EQ(events[29].seq(), 30u);
  events = spool->read_after(30, 1000, 1 << 20);
  ASSERT_EQ(events.size(), 70u);
  EXPECT_EQ(events.back().seq(), 100u);
  EXPECT_EQ(events.back().raw().substr(0, 7), "line 99");
  // Re-reading from an earlier position (after a reconnect) works too.
  events = spool->read_after(10, 5, 1 << 20);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[0].seq(), 11u);
}

TEST_F(SpoolTest, SeqContinuesAfterReopenEvenWhenEverythingWasAckedAndDeleted) {
  {
    auto spool = open(options());
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(spool->append(line_event(i)));
    spool->ack(300);
    EXPECT_EQ(spool->acked_seq(), 300u);
  }
  auto spool = open(options());
  EXPECT_EQ(spool->last_seq(), 300u);
  EXPECT_TRUE(spool->read_after(spool->acked_seq(), 10, 1 << 20).empty());
  ASSERT_TRUE(spool->append(line_event(1)));
  EXPECT_EQ(spool->last_seq(), 301u);
}

TEST_F(SpoolTest, AnAcknowledgedSegmentThatCannotBeDeletedNeverStopsTheAckPath) {
  auto spool = open(options());
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(spool->append(line_event(i)));  // several segments
  // The oldest segment's file replaced by a non-empty directory: removing it fails (as a
  // read-only or busy file would), even for root.
  fs::path oldest;
  for (const auto& e : fs::directory_iterator(dir_ / "spool")) {
    if (e.path().extension() == ".log" && (oldest.empty() || e.path() < oldest)) oldest = e.path();
  }
  ASSERT_FALSE(oldest.empty());
  fs::remove(oldest);
  fs::create_directories(oldest / "in-the-way");
  ASSERT_NO_THROW(spool->ack(200));  // used to throw filesystem_error into the shipper
  EXPECT_EQ(spool->acked_seq(), 200u);
  ASSERT_TRUE(spool->append(line_event(400)));
  EXPECT_EQ(spool->read_after(200, 1000, 1 << 20).size(), 201u);
  // Once it can be deleted, the next ack does.
  fs::remove_all(oldest);
  ASSERT_NO_THROW(spool->ack(401));
  EXPECT_TRUE(spool->read_after(401, 10, 1 << 20).empty());
}

TEST_F(SpoolTest, SomethingNamedLikeASegmentThatIsNoFileIsLeftAlone) {
  {
    auto spool = open(options());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(spool->append(line_event(i)));
  }
  const fs::path odd = dir_ / "spool" / "segment-00000000000000000500.log";
  fs::create_directory(odd);
  auto spool = open(options());  // used to throw filesystem_error from file_size()
  EXPECT_EQ(spool->last_seq(), 10u);
  ASSERT_TRUE(spool->append(line_event(10)));
  EXPECT_EQ(spool->read_after(0, 100, 1 << 20).size(), 11u);
  EXPECT_TRUE(fs::is_directory(odd));
}

// The incarnation names this spool's numbering of seqs: the collector keeps an
// event once per (agent, incarnation, seq), so a new spool under an old agent id
// is not mistaken for the old spool's resends.
TEST_F(SpoolTest, IncarnationIsCreatedWithTheSpoolAndKeptAcrossReopen) {
  std::string first;
  {
    auto spool = open(options());
    first = spool->incarnation();
    EXPECT_EQ(first.size(), 32u);  // 128 random bits, hex
    EXPECT_EQ(first.find_first_not_of("0123456789abcdef"), std::string::npos) << first;
    ASSERT_TRUE(spool->append(line_event(1)));
  }
  {
    auto again = open(options());
    EXPECT_EQ(again->incarnation(), first);
    // A given incarnation applies only to a spool being created.
    auto given = options();
    given.incarnation_if_created = "replay";
    again.reset();
    EXPECT_EQ(open(given)->incarnation(), first);
  }
  // Another spool directory (e.g. the old one wiped) is another incarnation.
  auto other = options();
  other.dir = dir_ / "other";
  EXPECT_NE(open(other)->incarnation(), first);
}

TEST_F(SpoolTest, IncarnationCanBeGivenForANewSpool) {
  auto given = options();
  given.incarnation_if_created = "replay";
  EXPECT_EQ(open(given)->incarnation(), "replay");
  EXPECT_EQ(open(options())->incarnation(), "replay");
}

TEST_F(SpoolTest, StateFileFromBeforeIncarnationsKeepsTheOldRule) {
  fs::create_directories(dir_ / "spool");
  {
    std::ofstream old(dir_ / "spool" / "state");
    old << "acked_seq 7\nlast_seq 7\ndropped_total 0\ndropped_reported 0\n";
  }
  {
    auto spool = open(options());
    EXPECT_EQ(spool->incarnation(), "");
    EXPECT_EQ(spool->last_seq(), 7u);
    ASSERT_TRUE(spool->append(line_event(8)));
    EXPECT_EQ(spool->last_seq(), 8u);
  }
  EXPECT_EQ(open(options())->incarnation(), "");
}

TEST(SpoolState, RoundTripsTheIncarnationAndRefusesDamage) {
  char templ[] = "/tmp/regwatch-state-XXXXXX";
  const fs::path dir = mkdtemp(templ);
  const fs::path file = dir / "state";
  auto missing = load_state(file);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->incarnation, "");
  SpoolState state;
  state.acked_seq = 3;
  state.last_seq = 9;
  state.incarnation = "00112233445566778899aabbccddeeff";
  ASSERT_TRUE(save_state(file, state).ok());
  auto loaded = load_state(file);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->acked_seq, 3u);
  EXPECT_EQ(loaded->last_seq, 9u);
  EXPECT_EQ(loaded->incarnation, state.incarnation);
  {
    std::ofstream damaged(file);
    damaged << "acked_seq x\nlast_seq 9\n";
  }
  EXPECT_FALSE(load_state(file).ok());
  {
    std::ofstream damaged(file);
    damaged << "last_seq 9\n";
  }
  EXPECT_FALSE(load_state(file).ok());
  fs::remove_all(dir);
}

TEST_F(SpoolTest, AcksDeleteWhollyAcknowledgedSegments) {
  auto spool = open(options());
  for (int i = 0; i < 400; ++i) ASSERT_TRUE(spool->append(line_event(i)));
  const size_t before = segment_files();
  ASSERT_GT(before, 3u);
  spool->ack(350);
  EXPECT_LT(segment_files(), before);
  auto events = spool->read_after(350, 1000, 1 << 20);
  ASSERT_EQ(events.size(), 50u);
  EXPECT_EQ(events.front().seq(), 351u);
}

TEST_F(SpoolTest, SurvivesKillDashNineAndTruncatesATornTail) {
  const auto o = options();
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    ManualClock clock(1);
    auto spool = std::move(Spool::open(o, "agent-1", clock)).value();
    for (uint64_t i = 0;; ++i) {
      if (spool->append(line_event(static_cast<int>(i)))) {
        const uint64_t seq = spool->last_seq();
        if (::write(pipe_fds[1], &seq, sizeof seq) != sizeof seq) _exit(1);
      }
    }
  }
  ::close(pipe_fds[1]);
  uint64_t reported = 0, seq = 0;
  while (reported < 2000 && ::read(pipe_fds[0], &seq, sizeof seq) == sizeof seq) reported = seq;
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  while (::read(pipe_fds[0], &seq, sizeof seq) == sizeof seq) reported = seq;
  ::close(pipe_fds[0]);
  // Tear the tail ourselves too, as a kill in the middle of write() would.
  fs::path last;
  for (const auto& e : fs::directory_iterator(o.dir)) {
    if (e.path().extension() == ".log" && e.path() > last) last = e.path();
  }
  { std::ofstream(last, std::ios::app | std::ios::binary) << "\x40\x00\x00\x00partial"; }

  auto spool = open(o);
  EXPECT_GE(spool->last_seq(), reported);
  EXPECT_EQ(spool->stats().corrupt_records, 1u);
  auto events = spool->read_after(0, 1'000'000, 1u << 30);
  ASSERT_EQ(events.size(), spool->last_seq());
  std::set<uint64_t> seqs;
  for (const auto& e : events) seqs.insert(e.seq());
  EXPECT_EQ(seqs.size(), events.size());  // each exactly once
  EXPECT_EQ(*seqs.rbegin(), spool->last_seq());
}

TEST_F(SpoolTest, FullSpoolDropsNewestAndReportsAfterAnAck) {
  auto spool = open(options(64 << 10, DropPolicy::kDropNewest));
  int accepted = 0, refused = 0;
  for (int i = 0; i < 1000; ++i) (spool->append(line_event(i)) ? accepted : refused)++;
  ASSERT_GT(refused, 0);
  EXPECT_EQ(spool->stats().dropped_total, static_cast<uint64_t>(refused));
  spool->ack(spool->last_seq());
  auto events = spool->read_after(accepted, 10, 1 << 20);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), v1::AGENT_DROPS);
  EXPECT_EQ(events[0].agent_drops().dropped(), static_cast<uint64_t>(refused));
  EXPECT_EQ(events[0].agent_drops().dropped_total(), static_cast<uint64_t>(refused));
  EXPECT_EQ(events[0].agent_drops().policy(), "drop_newest");
}

TEST_F(SpoolTest, FullSpoolDropsOldestAndReportsAtOnce) {
  auto spool = open(options(64 << 10, DropPolicy::kDropOldest));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(spool->append(line_event(i)));  // never refuses
  const auto stats = spool->stats();
  EXPECT_GT(stats.dropped_total, 0u);
  EXPECT_LE(stats.bytes_on_disk, (64u << 10) + 1024);
  auto events = spool->read_after(0, 100000, 1u << 30);
  uint64_t reported = 0, lines = 0;
  for (const auto& e : events) {
    if (e.kind() == v1::AGENT_DROPS) {
      reported = std::max<uint64_t>(reported, e.agent_drops().dropped_total());
    } else {
      ++lines;
    }
  }
  EXPECT_EQ(reported, stats.dropped_total);
  // Every event written (lines and reports) is either still here or counted as dropped.
  EXPECT_EQ(stats.appended, events.size() + stats.dropped_total);
  EXPECT_GE(lines + stats.dropped_total, 1000u);
}

// A disk that refuses writes (ENOSPC, EIO; here EFBIG from a file size limit, which fails
// write() the same way without needing a full filesystem) refuses the *newest* events: they
// are counted and reported as spool_write_failed with policy drop_newest, whatever the
// configured policy, as soon as a write succeeds again.
TEST_F(SpoolTest, RefusedWritesAreReportedAsSuchNotAsAFullSpool) {
  auto spool = open(options(64 << 20, DropPolicy::kDropOldest));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(spool->append(line_event(i)));
  const auto previous_handler = ::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  rlimit tight = saved;
  tight.rlim_cur = spool->stats().bytes_on_disk;  // the segment's size: every append now fails
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);
  int refused = 0;
  for (int i = 10; i < 30; ++i) refused += spool->append(line_event(i)) ? 0 : 1;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  ::signal(SIGXFSZ, previous_handler);
  EXPECT_EQ(refused, 20);
  EXPECT_EQ(spool->stats().dropped_total, 20u);
  ASSERT_TRUE(spool->append(line_event(30)));  // the disk has room again
  auto events = spool->read_after(10, 100, 1 << 20);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].raw().substr(0, 7), "line 30");
  ASSERT_EQ(events[1].kind(), v1::AGENT_DROPS);
  EXPECT_EQ(events[1].agent_drops().reason(), "spool_write_failed");
  EXPECT_EQ(events[1].agent_drops().policy(), "drop_newest");
  EXPECT_EQ(events[1].agent_drops().dropped(), 20u);
  EXPECT_EQ(events[1].agent_drops().dropped_total(), 20u);
}

// Drops an earlier run counted but never reported are reported under their own label: the
// state file keeps how many, not why.
TEST_F(SpoolTest, DropsLeftUnreportedByAnEarlierRunAreLabelledSo) {
  {
    auto spool = open(options());
    ASSERT_TRUE(spool->append(line_event(0)));
  }
  std::ofstream(dir_ / "spool" / "state", std::ios::app);  // keep the file, rewrite below
  {
    std::ifstream in(dir_ / "spool" / "state");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("dropped_total 0");
    ASSERT_NE(at, std::string::npos) << text;
    text.replace(at, 15, "dropped_total 7");
    std::ofstream(dir_ / "spool" / "state", std::ios::trunc) << text;
  }
  auto spool = open(options(64 << 20, DropPolicy::kDropNewest));
  spool->ack(1);  // an ack with room reports what is pending
  auto events = spool->read_after(1, 10, 1 << 20);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].agent_drops().reason(), "spool_dropped_before_restart");
  EXPECT_EQ(events[0].agent_drops().dropped(), 7u);
  EXPECT_EQ(events[0].agent_drops().policy(), "");
}

TEST_F(SpoolTest, WaitForDataWakesOnAppend) {
  auto spool = open(options());
  std::thread producer([&] { spool->append(line_event(1)); });
  EXPECT_TRUE(spool->wait_for_data_after(0, std::chrono::seconds(10)));
  producer.join();
  EXPECT_FALSE(spool->wait_for_data_after(1, std::chrono::milliseconds(10)));
}

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
