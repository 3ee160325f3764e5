// The spool: seqs, acks, incarnations, full-spool policies, drop reports.
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

}  // namespace
}  // namespace regwatch::agent::spool
