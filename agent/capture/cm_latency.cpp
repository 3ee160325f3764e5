#include "agent/capture/cm_latency.h"

#include <algorithm>
#include <cmath>

namespace regwatch::agent::capture {

LatencySummary summarize_latencies(std::vector<double>& samples) {
  // Selection in linear time (sorting a window of 100,000 phones' samples showed in the
  // profile), each quantile selected only among the samples at or above the one before it.
  LatencySummary s;
  if (samples.empty()) return s;
  auto from = samples.begin();
  auto select = [&](double p) {
    const size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(samples.size())));
    const auto nth =
        samples.begin() + static_cast<long>(std::min(rank, samples.size()) - (rank > 0 ? 1 : 0));
    std::nth_element(from, nth, samples.end());
    from = nth;
    return *nth;
  };
  s.p50 = select(0.50);
  s.p90 = select(0.90);
  s.p99 = select(0.99);
  s.max = *std::max_element(from, samples.end());
  return s;
}

void close_cm_window(const CmSlowRule& rule, regwatch::v1::Source source,
                     const std::string& cm_name, int64_t start_us, std::vector<double>& latencies,
                     const CmWindowTally& tally, bool& was_slow, const EventSink& sink) {
  if (latencies.empty() && tally.unanswered == 0) return;
  regwatch::v1::Event e;
  e.set_event_time_us(start_us);
  e.set_origin(cm_name);
  e.set_source(source);
  e.set_kind(regwatch::v1::KEEPALIVE_LATENCY);
  auto* l = e.mutable_keepalive_latency();
  l->set_cm_node(cm_name);
  l->set_window_start_us(start_us);
  l->set_window_s(rule.window_s);
  l->set_phones(tally.phones);
  l->set_samples(static_cast<uint32_t>(latencies.size()));
  const LatencySummary latency = summarize_latencies(latencies);
  l->set_p50_ms(latency.p50);
  l->set_p90_ms(latency.p90);
  l->set_p99_ms(latency.p99);
  l->set_max_ms(latency.max);
  l->set_slow_phones(tally.slow);
  l->set_unanswered(tally.unanswered);
  l->set_slow_threshold_ms(rule.threshold_ms);
  const bool is_slow = tally.slow >= rule.min_phones &&
                       static_cast<double>(tally.slow) >= rule.fraction * tally.phones;
  regwatch::v1::Event transition = e;
  sink(std::move(e));
  // A CM recovers only on a window with answers in it: silence alone is no recovery.
  if (is_slow != was_slow && (is_slow || !latencies.empty())) {
    transition.set_kind(is_slow ? regwatch::v1::CM_SLOW : regwatch::v1::CM_RECOVERED);
    sink(std::move(transition));
    was_slow = is_slow;
  }
}

}  // namespace regwatch::agent::capture
