#pragma once
// Ships the spool to a collector, for as long as the agent runs: connects,
// streams (ShipStream), and after any failure reconnects with exponential
// backoff and full jitter, resending everything the collector has not
// acknowledged. Memory is bounded by the stream's in-flight window; the spool
// on disk holds the rest.
//
// Several collectors (targets, in order of preference): one at a time. A failed
// stream moves to the next target after the backoff, wrapping around; a target
// that works is kept until it fails (CollectorRotation has the rules). Exactly
// once holds as with one: the spool moves only on acks, and what was in flight
// unacknowledged goes again, to the next collector. One caveat until the
// collectors share one store (issue 24, PostgreSQL): with two independent
// SQLite collectors, a batch that one stored but whose ack was lost (the
// collector died in between) is stored by the next one as well, so it is in
// both stores, at most the in-flight window's events per failover. A refusal
// (token, certificate) moves on as well; the agent is refused for good only
// once every collector refused it (stats().refused_by_all).
//
// A collector that keeps the stream open but stops acknowledging (its store gone silent
// before it noticed, a commit thread stuck, a disk that stalls) is given up on once it has owed
// an ack for ack_timeout: the stream is cancelled and counted as failed (DEADLINE_EXCEEDED),
// and shipping fails over as after any other failure. A stream error alone would never come:
// gRPC's keepalives see a live connection.
//
// While a collector is unreachable, the warnings are rate-limited per
// collector, each saying how many attempts it stands for: a long outage does
// not flood the log.
//
// It counts what the collector's acks say: events newly stored and duplicates
// (events it had already). Duplicates of events sent before (a resend after a
// reconnect or an agent restart) are normal; any other duplicate means the
// collector had events this spool never sent it (another spool under the same
// agent id and incarnation, or an archive replayed before): those are counted
// apart and logged as a warning, since the events sent were not stored.
//
// Threads: one internal thread; the public methods are thread-safe.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "agent/shipper/collector_rotation.h"
#include "agent/shipper/ship_stream.h"
#include "agent/spool/spool.h"
#include "common/logging.h"

namespace regwatch::agent::shipper {

struct ShipperOptions {
  std::vector<std::string> targets;  // HOST:PORT each, in order of preference; at least one
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  std::string tls_server_name;  // "" = the target's host; the same for every target
  std::string agent_id;
  std::string token;  // "" = send none
  StreamLimits limits;
  std::chrono::milliseconds backoff_initial{200};
  std::chrono::milliseconds backoff_max{30000};
  // How long a collector may owe an ack (ShipStream::ack_owed_for) before the agent gives up on
  // it and fails over. Well past what a working collector takes: its queue, bounded by its
  // pending-bytes budget, drains in seconds, and a collector whose store stops answering ends
  // the stream UNAVAILABLE itself within its writer's reply deadline (collector/store/
  // event_writer.cpp, 7 s by default). Giving up early costs little (the batches go again to
  // the next collector and a shared store keeps each event once), but on independent SQLite
  // collectors a batch that was committed, its ack still on the way, ends up in both.
  std::chrono::milliseconds ack_timeout{30000};
};

struct ShipperStats {
  uint64_t connects = 0;  // streams started
  uint64_t failures = 0;  // streams that ended with an error
  bool connected = false;
  std::string last_error;  // the collector's or gRPC's words
  grpc::StatusCode last_error_code = grpc::StatusCode::OK;
  std::string collector;        // the target streamed to now, or tried next
  uint64_t failovers = 0;       // times shipping resumed on another collector than the last
  uint64_t ack_stalls = 0;      // streams given up because an ack was owed for ack_timeout
  bool refused_by_all = false;  // every collector refused this agent (token, certificate)
  // From the acks, over the shipper's life:
  uint64_t events_stored = 0;          // newly stored by the collector
  uint64_t duplicates = 0;             // already stored (includes the unexpected ones)
  uint64_t unexpected_duplicates = 0;  // already stored though never sent by this spool
};

class Shipper {
 public:
  Shipper(spool::Spool& spool, ShipperOptions options);
  ~Shipper();
  Shipper(const Shipper&) = delete;
  Shipper& operator=(const Shipper&) = delete;

  void start();
  void stop();
  // Waits until the spool's acked seq reaches `seq`. Returns false on timeout,
  // on stop, or as soon as every collector refused us for a reason retrying
  // cannot fix (a wrong token or certificate): see stats().refused_by_all and
  // stats().last_error.
  bool wait_acked(uint64_t seq, std::chrono::milliseconds timeout);
  ShipperStats stats() const;
  // The collectors' addresses, in order of preference (fixed at construction).
  const std::vector<std::string>& collectors() const { return options_.targets; }

 private:
  // One configured collector: its channel, and its own budget of "unreachable" warnings.
  struct Target {
    std::string address;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<IngestStub> stub;
    std::unique_ptr<RateLimitedLog> failure_log;
  };

  void run();
  bool sleep_backoff(std::chrono::milliseconds delay);
  void count_ack(const AckCounts& counts);  // in a reaction
  void log_failure(const Target& target, const grpc::Status& status,
                   std::chrono::milliseconds delay, const std::string& next);

  spool::Spool& spool_;
  ShipperOptions options_;
  std::vector<Target> targets_;
  CollectorRotation rotation_;  // only the shipper thread uses it

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  ShipperStats stats_;
  ShipStream* current_ = nullptr;  // non-owning view of the live stream, for cancel()
  // Seqs up to here may have reached the collector before the current stream:
  // everything the spool held when the shipper started (a previous run may have
  // sent it), then whatever earlier streams sent. Only the shipper thread uses it.
  uint64_t resend_horizon_ = 0;
  RateLimitedLog duplicate_log_{3, std::chrono::seconds(60)};
  std::mt19937_64 random_{std::random_device{}()};
  std::thread thread_;
};

// How long a collector's "unreachable" warnings are counted before the next one is logged.
inline constexpr std::chrono::seconds kFailureLogInterval{60};

// True for failures a retry will not fix without someone changing a config.
bool is_permanent_refusal(grpc::StatusCode code);

}  // namespace regwatch::agent::shipper
