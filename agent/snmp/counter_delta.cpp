#include "agent/snmp/counter_delta.h"

namespace regwatch::agent::snmp {

std::optional<CounterDelta> CounterTracker::update(const CounterSample& sample) {
  if (width_ == CounterWidth::k32 && sample.value > 0xFFFFFFFFull) {
    last_discontinuity_ = Discontinuity::kOutOfRange;  // keep the previous base
    return std::nullopt;
  }
  const std::optional<CounterSample> previous = previous_;
  previous_ = sample;
  if (!previous) {
    last_discontinuity_ = Discontinuity::kFirstSample;
    return std::nullopt;
  }
  if (sample.time_us <= previous->time_us) {
    last_discontinuity_ = Discontinuity::kTimeWentBackwards;
    return std::nullopt;
  }
  // sysUpTime itself wraps after 497 days; a restart makes it small again.
  // Treat "went back" as a restart unless it is a plausible 2^32 wrap.
  if (sample.sys_uptime_ticks < previous->sys_uptime_ticks &&
      previous->sys_uptime_ticks - sample.sys_uptime_ticks < (1u << 31)) {
    last_discontinuity_ = Discontinuity::kDeviceRestart;
    return std::nullopt;
  }
  CounterDelta result;
  if (sample.value >= previous->value) {
    result.delta = sample.value - previous->value;
  } else {
    const uint64_t range_minus_one = width_ == CounterWidth::k32 ? 0xFFFFFFFFull : ~0ull;
    const uint64_t across = (range_minus_one - previous->value) + sample.value + 1;  // mod 2^width
    const uint64_t half = width_ == CounterWidth::k32 ? (1ull << 31) : (1ull << 63);
    if (across >= half) {
      last_discontinuity_ = Discontinuity::kWentBackwards;
      return std::nullopt;
    }
    result.delta = across;
    result.wrapped = true;
  }
  const double seconds = static_cast<double>(sample.time_us - previous->time_us) / 1e6;
  result.per_second = static_cast<double>(result.delta) / seconds;
  last_discontinuity_ = Discontinuity::kNone;
  return result;
}

}  // namespace regwatch::agent::snmp
