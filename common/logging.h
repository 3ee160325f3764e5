#pragma once
// One named spdlog logger per component ("agent.syslog", "collector.store", ...),
// all writing to stderr with the same pattern. Hot paths use RateLimitedLog so a
// flood of bad input costs a counter, not a disk.
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace regwatch {

// Returns the component's logger, creating it on first use. Thread-safe.
std::shared_ptr<spdlog::logger> component_logger(const std::string& name);

// "trace".."critical","off"; unknown names leave the level unchanged and return false.
bool set_log_level(const std::string& level);
// Whether set_log_level would accept it (config checks run before anything logs).
bool is_log_level(const std::string& level);

// Allows at most `per_interval` messages each `interval`; counts the rest so the
// next allowed message can say how many were suppressed. Thread-safe.
class RateLimitedLog {
 public:
  explicit RateLimitedLog(uint32_t per_interval = 5,
                          std::chrono::seconds interval = std::chrono::seconds(10))
      : per_interval_(per_interval), interval_us_(interval.count() * 1'000'000) {}

  // Returns true when the caller may log now; `suppressed` gets the number of
  // messages dropped since the last allowed one.
  bool allow(uint64_t& suppressed);

 private:
  uint32_t per_interval_;
  int64_t interval_us_;
  std::atomic<int64_t> window_start_us_{0};
  std::atomic<uint32_t> in_window_{0};
  std::atomic<uint64_t> suppressed_{0};
};

}  // namespace regwatch
