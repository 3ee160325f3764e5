#pragma once
// Injectable wall clock. Production code takes a Clock& so tests can pin time;
// event-time logic never calls this (it uses the times inside events).
#include <atomic>
#include <chrono>
#include <cstdint>

namespace regwatch {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t now_us() const = 0;  // Unix microseconds, UTC
};

class SystemClock final : public Clock {
 public:
  int64_t now_us() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_us) : now_(start_us) {}
  int64_t now_us() const override { return now_.load(); }
  void set_us(int64_t us) { now_.store(us); }
  void advance_us(int64_t us) { now_.fetch_add(us); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace regwatch
