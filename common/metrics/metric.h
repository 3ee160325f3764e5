#pragma once
// The three kinds of metric a family holds, each one time series (one set of label values).
// Updates are lock-free atomics, so a hot path pays one relaxed atomic operation: look a
// labelled child up once (Family::with) and keep the reference, it lives as long as its
// registry.
//
// Threads: every member may be called from any thread.
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace regwatch::metrics {

// Only goes up (Prometheus resets it to 0 only when the process restarts).
class Counter {
 public:
  void inc(uint64_t by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down, or a point in time (a Unix time in seconds).
class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Observations counted into fixed buckets (upper bounds, ascending, +Inf implied), with
// their sum and count, e.g. latencies in seconds.
class Histogram {
 public:
  // bounds: strictly ascending and finite (the family checks them).
  explicit Histogram(std::span<const double> bounds);
  void observe(double value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
  };
  // Consistent enough for scraping: each bucket is read atomically, not all at once.
  Snapshot snapshot() const;
  std::span<const double> bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // per bucket (not cumulative), +Inf last
  std::atomic<double> sum_{0.0};
};

// Bucket bounds for latencies in seconds: 0.5 ms to 10 s.
std::vector<double> latency_buckets();

}  // namespace regwatch::metrics
