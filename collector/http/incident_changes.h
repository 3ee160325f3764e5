#pragma once
// Tells the dashboard's live streams (GET /api/v1/stream) that incidents or condition alerts
// changed, so a page refetches within a second of the store instead of polling heavy
// endpoints. Correlation and the condition runner call notify() after a pass that wrote
// something; each stream waits for a version newer than the one it last sent.
// Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace regwatch::collector::http {

class IncidentChanges {
 public:
  void notify();
  // The current version once it differs from `seen`, or `seen` when `timeout` passed first or
  // stop() was called (stopped() tells which).
  uint64_t wait_newer(uint64_t seen, std::chrono::milliseconds timeout);
  uint64_t version() const;
  // Wakes every waiter for good (the server is shutting down).
  void stop();
  bool stopped() const;

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t version_ = 0;
  bool stopped_ = false;
};

}  // namespace regwatch::collector::http
