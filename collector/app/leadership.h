#pragma once
// Leadership: which collector of several sharing one PostgreSQL store runs correlation,
// conditions and alert dispatch (the others ingest and answer queries, and stand by).
//
// On PostgreSQL a thread renews the leader lease (collector/store/leader_lease.h) every
// second. Taking it calls gained(term); losing it (another holds it, or this collector could
// not renew for fence_after) calls lost(). leading() says whether this collector may act now:
// it turns false as soon as the last successful renewal is older than fence_after, which is
// well inside the lease (lease - 2 s), so a collector cut off from PostgreSQL stops paging
// before the database could give the lease to another. A renewal waits on the server for 2 s
// at most (leader_lease.h), and a tick that finds the fence passed steps down before it tries
// again, so lost() follows the fence within about a second even behind a network gone silent.
// A leader that dies is replaced once its lease has run out: within lease + 1 s (6 s + 1 s by
// default).
//
// On SQLite a collector is alone with its file: it leads from the start, no lease.
//
// Threads: leading() and status() from any thread; the callbacks run on the leadership thread
// (and on the caller's in start() and stop()).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "collector/store/leader_lease.h"
#include "common/metrics/registry.h"
#include "common/result.h"

namespace regwatch::collector {

struct LeadershipCallbacks {
  // fence: this collector's holder name and the term it now leads under (empty holder on
  // SQLite, where there is no lease to check).
  std::function<void(const store::LeaseFence& fence)> gained;
  std::function<void()> lost;
};

struct LeadershipStatus {
  bool uses_lease = false;  // false: a single collector (SQLite), always the leader
  bool leading = false;
  std::string self;  // this collector's holder name
  // The lease as last read (empty holder: never taken, or not read yet).
  store::LeaseState lease;
  bool lease_current = false;  // lease.expires_us > lease.now_us when read
  // Why the last renewal could not reach the store ("unavailable": no reply within the lease's
  // 2 s, or no connection), "" once one reaches it again. The lease's connection is the one
  // that hears from the store every second with short deadlines, so it is the collector's
  // quickest word that the store is cut off: Status answers from memory while it is set
  // instead of waiting on a read that cannot come back.
  std::string store_unreachable;
};

class Leadership {
 public:
  struct Options {
    std::string location;  // the store
    std::string address;   // where this collector listens, shown to the others
    std::chrono::milliseconds lease{6000};
    std::chrono::milliseconds renew_every{1000};
  };
  // Starts following or leading; on SQLite calls gained() with an empty fence (no lease) before
  // it returns.
  static Result<std::unique_ptr<Leadership>> start(const Options& options,
                                                   LeadershipCallbacks callbacks);
  ~Leadership();
  Leadership(const Leadership&) = delete;
  Leadership& operator=(const Leadership&) = delete;

  bool leading() const;
  LeadershipStatus status() const;
  // Hands the lease over (released, so another takes it at its next try) and calls lost().
  void stop();

 private:
  Leadership() = default;
  void run();
  void tick();
  void step_down(const char* why);

  Options options_;
  LeadershipCallbacks callbacks_;
  std::unique_ptr<store::LeaderLease> lease_;  // nullptr on SQLite
  std::string self_;
  std::atomic<bool> leading_{false};
  std::atomic<int64_t> renewed_at_ns_{0};  // steady clock of the last successful renewal
  std::chrono::nanoseconds fence_after_{0};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  store::LeaseState last_read_;    // under mutex_
  bool read_once_ = false;         // under mutex_
  std::string store_unreachable_;  // under mutex_: LeadershipStatus::store_unreachable
  // /metrics (docs/metrics.md): regwatch_collector_leader, _leader_since_timestamp_seconds,
  // _leader_term, _leader_changes_total.
  metrics::Gauge* leader_gauge_ = nullptr;
  metrics::Gauge* since_gauge_ = nullptr;
  metrics::Gauge* term_gauge_ = nullptr;
  metrics::Counter* changes_ = nullptr;
  std::thread thread_;
};

}  // namespace regwatch::collector
