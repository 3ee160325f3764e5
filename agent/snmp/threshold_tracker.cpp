#include "agent/snmp/threshold_tracker.h"

#include <algorithm>

namespace regwatch::agent::snmp {

TransitionEvent ThresholdTracker::update(int64_t time_us, double value) {
  TransitionEvent event;
  if (time_us <= last_time_us_) return event;
  last_time_us_ = time_us;
  const bool towards_other_state =
      high_ ? value < settings_.threshold - settings_.hysteresis : value >= settings_.threshold;
  if (!towards_other_state) {
    run_start_us_.reset();
    return event;
  }
  if (!run_start_us_) {
    run_start_us_ = time_us;
    run_peak_ = value;
  }
  run_peak_ = std::max(run_peak_, value);
  if (time_us - *run_start_us_ < settings_.duration_us) return event;
  high_ = !high_;
  event.transition = high_ ? Transition::kBecameHigh : Transition::kBecameNormal;
  event.since_us = *run_start_us_;
  event.peak = run_peak_;
  run_start_us_.reset();
  return event;
}

}  // namespace regwatch::agent::snmp
