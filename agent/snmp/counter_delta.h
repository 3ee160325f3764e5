#pragma once
// Turns successive readings of an SNMP counter (ifInErrors, ifHCInOctets,
// dot3StatsFCSErrors, ...) into deltas and rates, the only numbers worth
// alerting on. Pure; one instance per (target, OID, index).
//
// - Counter32 wraps at 2^32 and Counter64 at 2^64: a smaller reading is a
//   wrap when the device did not restart, and the delta goes across it.
// - A device restart (sysUpTime went back) resets counters: no delta is
//   reported for that poll (a restart is not 4 billion errors), the new
//   reading is the new base.
// - A counter that went back without a restart and by more than half its range
//   cannot be told from a wrap of a lying agent; it is treated as a reset and
//   counted as a discontinuity.
#include <cstdint>
#include <optional>

namespace regwatch::agent::snmp {

enum class CounterWidth { k32, k64 };

struct CounterSample {
  uint64_t value = 0;
  uint32_t sys_uptime_ticks = 0;  // sysUpTime in hundredths of a second, same response
  int64_t time_us = 0;            // when the response arrived (poll time)
};

struct CounterDelta {
  uint64_t delta = 0;
  double per_second = 0;
  bool wrapped = false;
};

// kOutOfRange: a Counter32 reading above 2^32-1 (an agent lying about types).
enum class Discontinuity {
  kNone,
  kFirstSample,
  kDeviceRestart,
  kWentBackwards,
  kTimeWentBackwards,
  kOutOfRange
};

class CounterTracker {
 public:
  explicit CounterTracker(CounterWidth width) : width_(width) {}

  // The delta since the previous sample, or nullopt with the reason in
  // last_discontinuity() when there is no trustworthy delta.
  std::optional<CounterDelta> update(const CounterSample& sample);
  Discontinuity last_discontinuity() const { return last_discontinuity_; }

 private:
  CounterWidth width_;
  std::optional<CounterSample> previous_;
  Discontinuity last_discontinuity_ = Discontinuity::kNone;
};

}  // namespace regwatch::agent::snmp
