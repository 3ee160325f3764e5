#pragma once
// One rule for every wire analyzer that times a CM's answers to its phones (SCCP's KeepAliveAck,
// SIP's answer to a REGISTER refresh): per CM node and window, the latency percentiles go out
// as keepalive_latency, and the CM is slow when at least min_phones phones, and at least
// fraction of its phones in the window, were slow (above the threshold, or still unanswered);
// cm_slow and cm_recovered mark the changes. The collector reads these events the same whatever
// the protocol, so the rule lives here once.
#include <cstdint>
#include <string>
#include <vector>

#include "agent/capture/analyzer.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::capture {

struct LatencySummary {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

// Nearest-rank quantiles and the maximum of samples, which it partly reorders (linear time).
LatencySummary summarize_latencies(std::vector<double>& samples);

struct CmSlowRule {
  uint32_t window_s = 10;
  double threshold_ms = 1000;
  uint32_t min_phones = 3;
  double fraction = 0.5;
};

// What one CM's closed window held.
struct CmWindowTally {
  uint32_t phones = 0;      // phones with a sample or an unanswered request
  uint32_t slow = 0;        // of them, slow (above the threshold or unanswered past it)
  uint32_t unanswered = 0;  // still without an answer at the window's end
};

// Closes one CM's window [start_us, start_us + window_s): sends its keepalive_latency (nothing
// when it held no sample and nothing unanswered) and, when the CM's state changes, cm_slow or
// cm_recovered. was_slow is the CM's state after its previous window and is updated. latencies
// are the window's samples in milliseconds (reordered). Events carry source and origin cm_name.
void close_cm_window(const CmSlowRule& rule, regwatch::v1::Source source,
                     const std::string& cm_name, int64_t start_us, std::vector<double>& latencies,
                     const CmWindowTally& tally, bool& was_slow, const EventSink& sink);

}  // namespace regwatch::agent::capture
