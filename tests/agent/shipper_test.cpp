// The shipper against an in-process fake collector (a real gRPC server on loopback speaking
// regwatch.v1.Ingest): it batches the spool within the configured limits and window, acks the
// spool only on the collector's acks (never on a bad one), counts duplicates, reconnects with
// a backoff that doubles up to its cap, and gives up waiting at once when refused for good.
// With several collectors (FailoverTest, a second fake on loopback): it ships to the first
// that works, moves to the next when a stream fails, resending what was unacknowledged,
// wraps around with the same backoff, and is refused for good only when all refuse; a collector
// that owes an ack past ack_timeout (the stream still up) is given up on like a failed one.
#include "agent/shipper/shipper.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "agent/app/agent_metrics.h"

namespace regwatch::agent::shipper {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kWait = 20s;  // only a failing test waits this long

// Polls `condition` until it holds or kWait passes: for the shipper's stats, which it updates
// on its own thread a moment after the spool moved (there is no event to wait on).
template <typename Condition>
bool eventually(Condition condition) {
  const auto deadline = Clock::now() + kWait;
  while (!condition()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);  // the poll's interval, not a guess at a duration
  }
  return true;
}

std::string metadata(const grpc::ServerContext& context, const std::string& key) {
  const auto it = context.client_metadata().find(key);
  return it == context.client_metadata().end() ? std::string()
                                               : std::string(it->second.data(), it->second.size());
}

// A scriptable collector. Each stream is numbered from 1; the first `refuse_streams` end at
// once with `refusal`. Otherwise it reads batches and acks them, in order, once it holds
// `ack_when_holding` of them or a batch reaches `ack_at_seq` (whichever first), or never while
// `hold_acks` is set. Like the collector, it counts a seq it stored before as a duplicate.
class FakeCollector final : public v1::Ingest::Service {
 public:
  struct Batch {
    int stream = 0;
    uint64_t batch_id = 0;
    std::string incarnation;
    std::vector<uint64_t> seqs;
    std::set<std::string> agent_ids;  // of its events
  };

  // Script (set before the shipper starts, or under with()).
  int refuse_streams = 0;
  grpc::Status refusal{grpc::StatusCode::UNAVAILABLE, "fake collector is down"};
  size_t ack_when_holding = 1;
  uint64_t ack_at_seq = 0;
  int bad_ack_on_stream = 0;  // that stream's first ack claims one seq more than was sent
  bool hold_acks = false;
  int fail_stream = 0;  // that stream ends UNAVAILABLE once it has sent fail_after_acks acks
  size_t fail_after_acks = 0;
  int die_holding_stream = 0;  // that stream ends UNAVAILABLE on its first batch, unacked
  std::set<uint64_t> stored;   // seqs "already stored" (by someone) before the test

  template <typename F>
  void with(F f) {
    std::lock_guard lock(mutex_);
    f();
    changed_.notify_all();
  }
  // Waits until it has read `count` batches.
  bool wait_batches(size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kWait, [&] { return batches_.size() >= count; });
  }
  std::vector<Batch> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  std::vector<Clock::time_point> stream_starts() {
    std::lock_guard lock(mutex_);
    return starts_;
  }
  std::vector<std::pair<std::string, std::string>> stream_metadata() {
    std::lock_guard lock(mutex_);
    return metadata_;
  }
  size_t max_unacked() {
    std::lock_guard lock(mutex_);
    return max_unacked_;
  }

  grpc::Status Stream(grpc::ServerContext* context,
                      grpc::ServerReaderWriter<v1::Ack, v1::EventBatch>* rw) override {
    int n = 0;
    {
      std::lock_guard lock(mutex_);
      n = static_cast<int>(starts_.size()) + 1;
      starts_.push_back(Clock::now());
      metadata_.emplace_back(metadata(*context, "x-regwatch-agent-id"),
                             metadata(*context, "authorization"));
      changed_.notify_all();
      if (n <= refuse_streams) return refusal;
    }
    std::deque<v1::EventBatch> unacked;
    v1::EventBatch batch;
    bool bad_ack_sent = false;
    size_t acks_sent = 0;
    while (rw->Read(&batch)) {
      std::vector<v1::Ack> acks;
      {
        std::unique_lock lock(mutex_);
        Batch seen{n, batch.batch_id(), batch.spool_incarnation(), {}, {}};
        for (const auto& e : batch.events()) {
          seen.seqs.push_back(e.seq());
          seen.agent_ids.insert(e.agent_id());
        }
        batches_.push_back(std::move(seen));
        unacked.push_back(batch);
        max_unacked_ = std::max(max_unacked_, unacked.size());
        changed_.notify_all();
        if (n == die_holding_stream) {
          for (const auto& e : batch.events()) stored.insert(e.seq());  // stored, never acked
          return {grpc::StatusCode::UNAVAILABLE, "fake collector died before its ack"};
        }
        if (n == bad_ack_on_stream && !bad_ack_sent) {
          bad_ack_sent = true;
          // Stored, but acked with a last seq one beyond the batch's.
          v1::Ack bad = ack_for(batch);
          bad.set_last_seq(bad.last_seq() + 1);
          unacked.pop_back();
          acks.push_back(bad);
        } else {
          changed_.wait(lock, [&] { return !hold_acks || context->IsCancelled(); });
          const uint64_t last = batch.events().rbegin()->seq();
          if (unacked.size() >= ack_when_holding || (ack_at_seq && last >= ack_at_seq)) {
            for (const auto& b : unacked) acks.push_back(ack_for(b));
            unacked.clear();
          }
        }
      }
      for (const auto& ack : acks) {
        if (!rw->Write(ack)) return grpc::Status::OK;
        ++acks_sent;
      }
      if (n == fail_stream && acks_sent >= fail_after_acks)
        return {grpc::StatusCode::UNAVAILABLE, "fake collector restarts"};
    }
    return grpc::Status::OK;
  }

 private:
  v1::Ack ack_for(const v1::EventBatch& b) {  // under mutex_
    v1::Ack ack;
    ack.set_batch_id(b.batch_id());
    ack.set_last_seq(b.events().rbegin()->seq());
    for (const auto& e : b.events()) {
      if (stored.insert(e.seq()).second) {
        ack.set_stored(ack.stored() + 1);
      } else {
        ack.set_duplicates(ack.duplicates() + 1);
      }
    }
    return ack;
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Batch> batches_;
  std::vector<Clock::time_point> starts_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  size_t max_unacked_ = 0;
};

class ShipperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-shipper-XXXXXX";
    dir_ = mkdtemp(templ);
    spool::SpoolOptions options;
    options.dir = dir_ / "spool";
    options.fsync_interval = 0ms;
    auto opened = spool::Spool::open(options, "edge-1", clock_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    spool_ = std::move(opened).value();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&collector_);
    server_ = builder.BuildAndStart();
    ASSERT_TRUE(server_);
    options_.targets = {"127.0.0.1:" + std::to_string(port_)};
    options_.credentials = grpc::InsecureChannelCredentials();
    options_.agent_id = "edge-1";
    options_.token = "edge-1-secret";
    options_.backoff_initial = 20ms;
    options_.backoff_max = 200ms;
  }
  void TearDown() override {
    if (shipper_) shipper_->stop();
    collector_.with([&] { collector_.hold_acks = false; });
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + 5s);
    shipper_.reset();
    spool_.reset();
    fs::remove_all(dir_);
  }

  void append(int events) {
    for (int i = 0; i < events; ++i) {
      v1::Event e;
      e.set_event_time_us(clock_.now_us());
      e.set_receive_time_us(clock_.now_us());
      e.set_kind(v1::PHONE_UNREGISTERED);
      e.set_raw("line " + std::to_string(spool_->last_seq() + 1));
      ASSERT_TRUE(spool_->append(std::move(e)));
    }
  }
  void start() {
    shipper_ = std::make_unique<Shipper>(*spool_, options_);
    shipper_->start();
  }

  fs::path dir_;
  ManualClock clock_{1'795'132'800'000'000};
  std::unique_ptr<spool::Spool> spool_;
  FakeCollector collector_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  ShipperOptions options_;
  std::unique_ptr<Shipper> shipper_;
};

TEST_F(ShipperTest, BatchesTheSpoolWithinTheLimitsAndTheWindow) {
  append(25);
  options_.limits.batch_max_events = 10;
  options_.limits.max_in_flight = 2;
  collector_.ack_when_holding = 2;  // acks only once the window is full (or at the end)
  collector_.ack_at_seq = 25;
  start();
  ASSERT_TRUE(shipper_->wait_acked(25, kWait)) << shipper_->stats().last_error;
  const auto batches = collector_.batches();
  ASSERT_EQ(batches.size(), 3u);
  const std::vector<std::vector<uint64_t>> expected = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
                                                       {11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
                                                       {21, 22, 23, 24, 25}};
  for (size_t i = 0; i < batches.size(); ++i) {
    EXPECT_EQ(batches[i].seqs, expected[i]);
    EXPECT_EQ(batches[i].batch_id, i + 1);
    EXPECT_EQ(batches[i].incarnation, spool_->incarnation());
    EXPECT_EQ(batches[i].agent_ids, std::set<std::string>{"edge-1"});
    EXPECT_EQ(batches[i].stream, 1);
  }
  EXPECT_FALSE(spool_->incarnation().empty());
  EXPECT_EQ(collector_.max_unacked(), 2u);  // the window filled, and never overflowed
  const auto meta = collector_.stream_metadata();
  ASSERT_EQ(meta.size(), 1u);
  EXPECT_EQ(meta[0].first, "edge-1");
  EXPECT_EQ(meta[0].second, "Bearer edge-1-secret");
  const auto stats = shipper_->stats();
  EXPECT_EQ(stats.events_stored, 25u);
  EXPECT_EQ(stats.duplicates, 0u);
  EXPECT_EQ(stats.connects, 1u);
  EXPECT_EQ(stats.failures, 0u);
  EXPECT_EQ(spool_->acked_seq(), 25u);
}

TEST_F(ShipperTest, ShipsWhatIsAppendedWhileConnected) {
  start();
  append(3);
  ASSERT_TRUE(shipper_->wait_acked(3, kWait)) << shipper_->stats().last_error;
  append(4);
  ASSERT_TRUE(shipper_->wait_acked(7, kWait)) << shipper_->stats().last_error;
  std::vector<uint64_t> seqs;
  for (const auto& b : collector_.batches()) seqs.insert(seqs.end(), b.seqs.begin(), b.seqs.end());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7}));  // each once, in order
  EXPECT_TRUE(eventually([&] { return shipper_->stats().connected; }));
}

TEST_F(ShipperTest, TheSpoolMovesOnlyOnTheCollectorsAcks) {
  append(12);
  options_.limits.batch_max_events = 4;
  collector_.hold_acks = true;
  start();
  // A batch is with the collector, and nothing is acknowledged while it holds its ack.
  ASSERT_TRUE(collector_.wait_batches(1));
  EXPECT_EQ(spool_->acked_seq(), 0u);
  EXPECT_FALSE(shipper_->wait_acked(1, 0ms));
  collector_.with([&] { collector_.hold_acks = false; });
  ASSERT_TRUE(shipper_->wait_acked(12, kWait)) << shipper_->stats().last_error;
  EXPECT_EQ(spool_->acked_seq(), 12u);
}

// An ack that does not fit the batch in flight ends the stream without acknowledging anything:
// the next stream sends the batch again.
TEST_F(ShipperTest, ABadAckAcknowledgesNothingAndTheBatchIsResent) {
  append(5);
  collector_.bad_ack_on_stream = 1;
  start();
  ASSERT_TRUE(shipper_->wait_acked(5, kWait)) << shipper_->stats().last_error;
  const auto batches = collector_.batches();
  ASSERT_GE(batches.size(), 2u);
  EXPECT_EQ(batches.front().stream, 1);
  EXPECT_EQ(batches.front().seqs.front(), 1u);
  // The second stream starts again from seq 1: the bad ack moved nothing.
  const auto resent = std::find_if(batches.begin(), batches.end(),
                                   [](const FakeCollector::Batch& b) { return b.stream == 2; });
  ASSERT_NE(resent, batches.end());
  EXPECT_EQ(resent->seqs.front(), 1u);
  const auto stats = shipper_->stats();
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_EQ(stats.failures, 1u);
  // The fake stored them on stream 1: on stream 2 they are duplicates, and expected ones (they
  // were sent before).
  EXPECT_EQ(stats.events_stored, 0u);
  EXPECT_EQ(stats.duplicates, 5u);
  EXPECT_EQ(stats.unexpected_duplicates, 0u);
}

// Events the spool held when the shipper started may have been sent by an earlier run: the
// collector having them is expected. Events appended since were never sent before: if the
// collector has them, someone else (another spool under this identity) stored them.
// A collector that goes away mid-stream: what it acked stays acknowledged, the next stream
// starts after it and sends the rest.
TEST_F(ShipperTest, AfterAStreamFailsTheNextResumesAfterTheLastAck) {
  append(25);
  options_.limits.batch_max_events = 10;
  collector_.fail_stream = 1;
  collector_.fail_after_acks = 1;
  start();
  ASSERT_TRUE(shipper_->wait_acked(25, kWait)) << shipper_->stats().last_error;
  const auto batches = collector_.batches();
  ASSERT_GE(batches.size(), 3u);
  EXPECT_EQ(batches.front().seqs.front(), 1u);
  const auto second = std::find_if(batches.begin(), batches.end(),
                                   [](const FakeCollector::Batch& b) { return b.stream == 2; });
  ASSERT_NE(second, batches.end());
  EXPECT_EQ(second->seqs.front(), 11u);  // seqs 1-10 were acked on stream 1
  const auto stats = shipper_->stats();
  EXPECT_EQ(stats.connects, 2u);
  EXPECT_EQ(stats.failures, 1u);
  EXPECT_EQ(stats.events_stored, 25u);  // each event stored once
  EXPECT_EQ(stats.duplicates, 0u);
}

TEST_F(ShipperTest, CountsDuplicatesAndTheUnexpectedOnes) {
  append(10);
  collector_.stored = {1, 2, 3, 11, 12};
  start();
  ASSERT_TRUE(shipper_->wait_acked(10, kWait)) << shipper_->stats().last_error;
  auto stats = shipper_->stats();
  EXPECT_EQ(stats.events_stored, 7u);
  EXPECT_EQ(stats.duplicates, 3u);
  EXPECT_EQ(stats.unexpected_duplicates, 0u);
  append(5);
  ASSERT_TRUE(shipper_->wait_acked(15, kWait)) << shipper_->stats().last_error;
  stats = shipper_->stats();
  EXPECT_EQ(stats.events_stored, 10u);
  EXPECT_EQ(stats.duplicates, 5u);
  EXPECT_EQ(stats.unexpected_duplicates, 2u);  // 11 and 12: this spool never sent them
}

TEST_F(ShipperTest, ReconnectsWithABackoffThatDoublesUpToItsCap) {
  append(2);
  options_.backoff_initial = 40ms;
  options_.backoff_max = 160ms;
  collector_.refuse_streams = 7;
  start();
  ASSERT_TRUE(shipper_->wait_acked(2, kWait)) << shipper_->stats().last_error;
  const auto starts = collector_.stream_starts();
  ASSERT_EQ(starts.size(), 8u);
  // Full jitter: a delay is in [backoff / 2, backoff]; backoff 40, 80, 160, 160, ... ms.
  const std::vector<std::chrono::milliseconds> at_least = {20ms, 40ms, 80ms, 80ms,
                                                           80ms, 80ms, 80ms};
  for (size_t i = 0; i < at_least.size(); ++i) {
    const auto gap =
        std::chrono::duration_cast<std::chrono::milliseconds>(starts[i + 1] - starts[i]);
    EXPECT_GE(gap, at_least[i]) << "before stream " << i + 2;
  }
  // Capped at 160 ms: uncapped, the last delay would be at least 1280 ms (backoff 2560).
  EXPECT_LT(starts[7] - starts[6], 1000ms);
  // A stream that works clears the last error (once the shipper's thread sees its first ack).
  EXPECT_TRUE(eventually([&] { return shipper_->stats().connected; }));
  const auto stats = shipper_->stats();
  EXPECT_EQ(stats.connects, 8u);
  EXPECT_EQ(stats.failures, 7u);
  EXPECT_EQ(stats.last_error_code, grpc::StatusCode::OK);
  EXPECT_TRUE(stats.last_error.empty()) << stats.last_error;
}

TEST_F(ShipperTest, ARefusalRetryingCannotFixEndsTheWaitAtOnce) {
  append(1);
  options_.backoff_initial = 5s;  // the wait must end on the refusal, not on a retry
  collector_.refuse_streams = 1000;
  collector_.refusal = {grpc::StatusCode::UNAUTHENTICATED, "wrong token for agent 'edge-1'"};
  start();
  const auto began = Clock::now();
  EXPECT_FALSE(shipper_->wait_acked(1, kWait));
  EXPECT_LT(Clock::now() - began, kWait / 2);
  const auto stats = shipper_->stats();
  EXPECT_EQ(stats.last_error_code, grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(stats.last_error.find("wrong token"), std::string::npos) << stats.last_error;
  EXPECT_EQ(stats.failures, 1u);
  EXPECT_FALSE(stats.connected);
  EXPECT_EQ(spool_->acked_seq(), 0u);
  // stop() does not wait out the backoff.
  const auto stopping = Clock::now();
  shipper_->stop();
  EXPECT_LT(Clock::now() - stopping, 4s);
}

// A second fake collector on loopback: the shipper's targets are {primary, standby}.
class FailoverTest : public ShipperTest {
 protected:
  void SetUp() override {
    ShipperTest::SetUp();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &standby_port_);
    builder.RegisterService(&standby_);
    standby_server_ = builder.BuildAndStart();
    ASSERT_TRUE(standby_server_);
    primary_address_ = options_.targets.front();
    standby_address_ = "127.0.0.1:" + std::to_string(standby_port_);
    options_.targets = {primary_address_, standby_address_};
  }
  void TearDown() override {
    if (shipper_) shipper_->stop();
    if (standby_server_) standby_server_->Shutdown(std::chrono::system_clock::now() + 5s);
    ShipperTest::TearDown();
  }
  static std::vector<uint64_t> seqs_of(FakeCollector& collector) {
    std::vector<uint64_t> seqs;
    for (const auto& b : collector.batches()) seqs.insert(seqs.end(), b.seqs.begin(), b.seqs.end());
    return seqs;
  }

  FakeCollector& primary_ = collector_;
  FakeCollector standby_;
  std::unique_ptr<grpc::Server> standby_server_;
  int standby_port_ = 0;
  std::string primary_address_;
  std::string standby_address_;
};

TEST_F(FailoverTest, ShipsToTheFirstThatWorksInOrder) {
  append(5);
  primary_.refuse_streams = 1000;  // down
  start();
  ASSERT_TRUE(shipper_->wait_acked(5, kWait)) << shipper_->stats().last_error;
  EXPECT_EQ(primary_.stream_starts().size(), 1u);  // tried first, once
  EXPECT_EQ(seqs_of(standby_), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  append(3);
  ASSERT_TRUE(shipper_->wait_acked(8, kWait)) << shipper_->stats().last_error;
  EXPECT_EQ(standby_.stream_starts().size(), 1u);  // kept while it works
  const auto stats = shipper_->stats();
  EXPECT_EQ(stats.collector, standby_address_);
  EXPECT_EQ(stats.failovers, 0u);  // nothing worked before it: a start, not a failover
  EXPECT_EQ(shipper_->collectors(), (std::vector<std::string>{primary_address_, standby_address_}));
}

// The primary acks the first batch and dies: the standby gets everything after the last ack,
// each event once across the two, and the shipper counts one failover.
TEST_F(FailoverTest, AFailedStreamMovesToTheNextWhichGetsWhatWasNotAcknowledged) {
  append(25);
  options_.limits.batch_max_events = 10;
  primary_.fail_stream = 1;
  primary_.fail_after_acks = 1;
  start();
  ASSERT_TRUE(shipper_->wait_acked(25, kWait)) << shipper_->stats().last_error;
  EXPECT_EQ(seqs_of(primary_), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  const auto standby_seqs = seqs_of(standby_);
  ASSERT_FALSE(standby_seqs.empty());
  EXPECT_EQ(standby_seqs.front(), 11u);
  EXPECT_EQ(standby_seqs.back(), 25u);
  EXPECT_EQ(standby_seqs.size(), 15u);
  EXPECT_TRUE(eventually([&] { return shipper_->stats().failovers == 1; }));
  const auto stats = shipper_->stats();
  EXPECT_EQ(stats.collector, standby_address_);
  EXPECT_EQ(stats.events_stored, 25u);
  EXPECT_EQ(stats.duplicates, 0u);
  EXPECT_EQ(primary_.stream_starts().size(), 1u);  // no return to the primary while this works
  // What Prometheus reads (docs/metrics.md).
  metrics::Registry registry;
  AgentMetricSources sources;
  sources.shipper = shipper_.get();
  const AgentMetrics agent_metrics(std::move(sources), registry);
  const auto text = registry.exposition();
  EXPECT_NE(text.find("\nregwatch_agent_collector_failovers_total 1\n"), std::string::npos) << text;
  EXPECT_NE(
      text.find("\nregwatch_agent_collector_current{collector=\"" + standby_address_ + "\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("\nregwatch_agent_collector_current{collector=\"" + primary_address_ + "\"} 0\n"),
      std::string::npos)
      << text;
}

// A batch the primary stored but never acked (it died holding the ack) goes to the standby
// too: with two independent stores it is in both (docs/architecture.md, "Several collectors").
TEST_F(FailoverTest, WhatWasInFlightIsResentToTheNext) {
  append(8);
  options_.limits.batch_max_events = 4;
  primary_.die_holding_stream = 1;
  start();
  ASSERT_TRUE(shipper_->wait_acked(8, kWait)) << shipper_->stats().last_error;
  EXPECT_EQ(seqs_of(primary_), (std::vector<uint64_t>{1, 2, 3, 4}));
  EXPECT_EQ(seqs_of(standby_), (std::vector<uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(spool_->acked_seq(), 8u);
  // Maybe sent before, so the standby storing them is no surprise (nor a duplicate for it).
  EXPECT_EQ(shipper_->stats().unexpected_duplicates, 0u);
}

// The primary keeps the stream open and stops acknowledging (a collector cut off from its store
// before it noticed, or stuck): no stream error ever comes, so the shipper gives up on it once
// it has owed an ack for ack_timeout, and the standby gets what was unacknowledged.
TEST_F(FailoverTest, AnAckOwedPastTheTimeoutFailsOver) {
  append(5);
  options_.ack_timeout = 300ms;
  primary_.hold_acks = true;
  const auto started = Clock::now();
  start();
  ASSERT_TRUE(primary_.wait_batches(1));
  ASSERT_TRUE(shipper_->wait_acked(5, kWait)) << shipper_->stats().last_error;
  EXPECT_GE(Clock::now() - started, 300ms) << "gave up before the timeout";
  EXPECT_EQ(seqs_of(primary_), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(seqs_of(standby_), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  const auto stats = shipper_->stats();
  EXPECT_EQ(stats.ack_stalls, 1u);
  EXPECT_EQ(stats.failures, 1u);
  EXPECT_EQ(stats.collector, standby_address_);
  EXPECT_EQ(primary_.stream_starts().size(), 1u);
}

// What counts is the ack owed now, not the stream's age: batches acked in turn, with idle time
// between them, over more than the timeout in all, keep the collector.
TEST_F(FailoverTest, OnlyAnAckOwedCountsNotTheStreamsAge) {
  options_.ack_timeout = 300ms;
  options_.limits.batch_max_events = 1;
  start();
  const auto started = Clock::now();
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    append(1);
    ASSERT_TRUE(shipper_->wait_acked(seq, kWait)) << shipper_->stats().last_error;
    std::this_thread::sleep_for(100ms);  // idle time on the stream, not a synchronisation
  }
  ASSERT_GT(Clock::now() - started, 2 * options_.ack_timeout);
  const auto stats = shipper_->stats();
  EXPECT_EQ(stats.ack_stalls, 0u);
  EXPECT_EQ(stats.failures, 0u);
  EXPECT_TRUE(standby_.batches().empty());
}

// Both down: the shipper alternates primary, standby, primary, ... with the backoff doubling
// between any two attempts, until one comes back.
TEST_F(FailoverTest, WrapsAroundWithTheBackoffBetweenAttempts) {
  append(2);
  options_.backoff_initial = 40ms;
  options_.backoff_max = 160ms;
  primary_.refuse_streams = 3;
  standby_.refuse_streams = 1000;
  start();
  ASSERT_TRUE(shipper_->wait_acked(2, kWait)) << shipper_->stats().last_error;
  std::vector<std::pair<Clock::time_point, char>> attempts;
  for (auto at : primary_.stream_starts()) attempts.emplace_back(at, 'P');
  for (auto at : standby_.stream_starts()) attempts.emplace_back(at, 'S');
  std::sort(attempts.begin(), attempts.end());
  std::string order;
  for (const auto& a : attempts) order += a.second;
  EXPECT_EQ(order, "PSPSPSP");  // the fourth on the primary works, and it stays there
  const std::vector<std::chrono::milliseconds> at_least = {20ms, 40ms, 80ms, 80ms, 80ms, 80ms};
  for (size_t i = 0; i + 1 < attempts.size() && i < at_least.size(); ++i) {
    EXPECT_GE(attempts[i + 1].first - attempts[i].first, at_least[i]) << "before attempt " << i + 2;
  }
  EXPECT_TRUE(eventually([&] { return shipper_->stats().connected; }));
  EXPECT_EQ(shipper_->stats().collector, primary_address_);
}

TEST_F(FailoverTest, ARefusalTriesTheOthers) {
  append(3);
  primary_.refuse_streams = 1000;
  primary_.refusal = {grpc::StatusCode::UNAUTHENTICATED, "wrong token for agent 'edge-1'"};
  start();
  ASSERT_TRUE(shipper_->wait_acked(3, kWait)) << shipper_->stats().last_error;
  EXPECT_EQ(seqs_of(standby_), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_FALSE(shipper_->stats().refused_by_all);
}

TEST_F(FailoverTest, OnlyEveryCollectorRefusingEndsTheWait) {
  append(1);
  options_.backoff_initial = 50ms;
  for (auto* c : {&primary_, &standby_}) {
    c->refuse_streams = 1000;
    c->refusal = {grpc::StatusCode::PERMISSION_DENIED, "certificate not allowed"};
  }
  start();
  EXPECT_FALSE(shipper_->wait_acked(1, kWait));
  const auto stats = shipper_->stats();
  EXPECT_TRUE(stats.refused_by_all);
  EXPECT_EQ(stats.last_error_code, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_GE(primary_.stream_starts().size(), 1u);
  EXPECT_GE(standby_.stream_starts().size(), 1u);  // asked too, before giving up
  EXPECT_EQ(spool_->acked_seq(), 0u);
}

}  // namespace
}  // namespace regwatch::agent::shipper
