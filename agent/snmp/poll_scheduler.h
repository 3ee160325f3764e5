#pragma once
// Polls many SNMP targets concurrently, each at its own interval, with a fixed
// pool of worker threads. A target is polled by one worker at a time; a slow
// or dead target ties up one worker for at most its timeout x (retries + 1),
// while the others keep polling theirs. A poll that starts late (all workers
// busy) is counted as late; the next one is scheduled from the planned time,
// not drift-accumulating from the late one.
//
// Threads: start()/stop() from one thread; the sink is called on worker
// threads and must be thread-safe and quick (the agent appends to the spool).
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "agent/snmp/target_poller.h"
#include "common/metrics/metric.h"

namespace regwatch::agent::snmp {

using EventSink = std::function<void(regwatch::v1::Event)>;

// One target's counters, for the agent's /metrics.
struct TargetCounts {
  std::string name;
  uint64_t polls = 0;
  uint64_t failures = 0;
};

// One need of one target (role_data.h), for regwatch_agent_snmp_target_incomplete.
struct TargetDataState {
  std::string name;
  std::string role;
  DataNeedState need;
};

struct SchedulerStats {
  uint64_t polls = 0;
  uint64_t failures = 0;
  uint64_t late = 0;
  uint64_t wrong_type = 0;
};

class PollScheduler {
 public:
  PollScheduler(std::vector<std::unique_ptr<TargetPoller>> pollers, uint32_t workers,
                EventSink sink);
  ~PollScheduler();
  PollScheduler(const PollScheduler&) = delete;
  PollScheduler& operator=(const PollScheduler&) = delete;

  void start();
  void stop();
  // A reload (SIGHUP): polls `pollers` from now on. A current poller whose target equals a new
  // one's (PollTarget ==) is kept in its place, with its schedule and what it learned (counter
  // baselines, CPU over threshold since, CUCM's tables), when keep_state (the settings the
  // pollers were built with are unchanged); the others start afresh, spread over their
  // interval. Waits for polls under way to finish (each bounded by its timeout x retries).
  // Returns how many were kept.
  size_t retarget(std::vector<std::unique_ptr<TargetPoller>> pollers, bool keep_state);
  // Polls the targets whose address host is `host` as soon as a worker is free
  // (a CUCM trap says its tables have new rows). Returns how many matched.
  size_t poll_soon(const std::string& host);
  SchedulerStats stats() const;
  std::vector<TargetCounts> target_counts() const;
  std::vector<TargetDataState> target_data_states() const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Slot {
    std::unique_ptr<TargetPoller> poller;
    SteadyTime due;
    bool busy = false;
    // regwatch_snmp_poll_duration_seconds{target}: looked up once, observed after each poll.
    metrics::Histogram* duration = nullptr;
  };
  void work();
  // New slots for pollers, their first polls spread over a tenth of an interval.
  void add_slots(std::vector<std::unique_ptr<TargetPoller>> pollers);

  std::vector<Slot> slots_;
  uint32_t worker_count_;
  EventSink sink_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool retargeting_ = false;  // workers pick no slot while a reload replaces them
  uint64_t late_ = 0;
  std::vector<std::thread> workers_;
};

}  // namespace regwatch::agent::snmp
