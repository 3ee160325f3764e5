#pragma once
// "Above X for at least D" state changes on a sampled gauge, the way RTMT's
// CallProcessingNodeCpuPegging works (default 90 % for 60 s): cpu_high is
// reported once the value has stayed at or above the threshold for the whole
// duration, cpu_normal once it has stayed below (threshold - hysteresis) for
// the same duration. Driven by sample times (event time), never a wall clock,
// so replayed samples give the same transitions. Pure.
#include <cstdint>
#include <optional>

namespace regwatch::agent::snmp {

struct ThresholdSettings {
  double threshold = 90.0;
  double hysteresis = 5.0;
  int64_t duration_us = 60'000'000;
};

enum class Transition { kNone, kBecameHigh, kBecameNormal };

struct TransitionEvent {
  Transition transition = Transition::kNone;
  int64_t since_us = 0;  // when the condition started (the first sample of the run)
  double peak = 0;       // highest value seen in the run (for kBecameHigh)
};

class ThresholdTracker {
 public:
  explicit ThresholdTracker(ThresholdSettings settings) : settings_(settings) {}

  // Samples must come in time order; an older one is ignored.
  TransitionEvent update(int64_t time_us, double value);
  bool high() const { return high_; }

 private:
  ThresholdSettings settings_;
  bool high_ = false;
  std::optional<int64_t> run_start_us_;  // start of the current run towards the other state
  double run_peak_ = 0;
  int64_t last_time_us_ = INT64_MIN;
};

}  // namespace regwatch::agent::snmp
