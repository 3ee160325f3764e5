#pragma once
// The metrics of one process, by name, and their exposition in the Prometheus text format
// 0.0.4 (text_format.h), which /metrics serves.
//
// Registering is idempotent: asking again for a name with the same type, label names (and
// bucket bounds) returns the family already there, so components made more than once (tests,
// restarts inside one process) share it. A name registered with another type or other labels,
// an invalid name, or a counter not ending in `_total` is a programming error: the call throws
// std::invalid_argument at start-up rather than serving a broken exposition.
//
// Label values must come from a small bounded set: never a phone (family.h says why).
//
// Threads: every member may be called from any thread. A callback runs during exposition()
// on the scraping thread, and must not call the registry.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/metrics/family.h"

namespace regwatch::metrics {

class Registry;

// Keeps a callback registered; destroying it (or reset()) unregisters it and waits for a
// scrape that is running it. Keep it beside (after) what the callback reads.
class [[nodiscard]] CallbackHandle {
 public:
  CallbackHandle() = default;
  CallbackHandle(CallbackFamily* family, uint64_t id) : family_(family), id_(id) {}
  ~CallbackHandle() { reset(); }
  CallbackHandle(CallbackHandle&& other) noexcept { *this = std::move(other); }
  CallbackHandle& operator=(CallbackHandle&& other) noexcept;
  CallbackHandle(const CallbackHandle&) = delete;
  CallbackHandle& operator=(const CallbackHandle&) = delete;
  void reset();

 private:
  CallbackFamily* family_ = nullptr;
  uint64_t id_ = 0;
};

class Registry {
 public:
  Family<Counter>& counter(const std::string& name, const std::string& help,
                           const std::vector<std::string>& label_names = {});
  Family<Gauge>& gauge(const std::string& name, const std::string& help,
                       const std::vector<std::string>& label_names = {});
  // bounds: strictly ascending finite upper bounds (+Inf is implied).
  Family<Histogram>& histogram(const std::string& name, const std::string& help,
                               const std::vector<std::string>& label_names,
                               const std::vector<double>& bounds);
  // A counter or gauge family computed at scrape time (family.h: CallbackFamily).
  CallbackHandle callback(const std::string& name, const std::string& help, MetricType type,
                          const std::vector<std::string>& label_names, Collect collect);

  // Every family, sorted by name, each with its HELP and TYPE lines; a family with no
  // samples yet is still listed by its HELP and TYPE.
  std::string exposition() const;

 private:
  template <typename F>
  F& find_or_add(const std::string& name, const std::string& help, MetricType type,
                 const std::vector<std::string>& label_names, const std::vector<double>& bounds);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<FamilyBase>> families_;
};

// The process's registry: what the collector's and the agent's /metrics serve.
Registry& default_registry();

}  // namespace regwatch::metrics
