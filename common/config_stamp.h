#pragma once
// Which configuration a daemon runs with, for `regwatch status`, /metrics and the logs: the
// file, its SHA-256 (what `sha256sum FILE` prints, so an operator can tell whether the file on
// disk is the one running), when it was loaded, and how the last reload (SIGHUP) went.
//
// Metrics, in the Prometheus and Alertmanager habit (prometheus_config_last_reload_successful):
//   <prefix>_config_last_reload_successful            1 or 0
//   <prefix>_config_last_reload_success_timestamp_seconds
//
// Threads: every member may be called from any thread.
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/metrics/registry.h"
#include "common/result.h"

namespace regwatch::config {

struct ConfigStamp {
  std::string file;          // "" = no config file (defaults and flags)
  std::string sha256;        // hex, of the file's bytes; "" without a file
  int64_t loaded_at_us = 0;  // the running config: start, or the last reload that applied
  int64_t reload_at_us = 0;  // the last reload attempt; 0 = none since start
  bool reload_ok = true;     // whether that attempt applied (an invalid config is refused)
  std::string reload_error;  // why it did not: each problem, with its line
  // Keys the file changed that the daemon reads only at start: running on their old values.
  std::vector<std::string> needs_restart;
};

// SHA-256 of a file's bytes, lower-case hex; an error naming the file when it cannot be read.
Result<std::string> file_sha256_hex(const std::string& path);

class ConfigStampHolder {
 public:
  // metric_prefix: "regwatch_collector" or "regwatch_agent".
  ConfigStampHolder(metrics::Registry& registry, const std::string& metric_prefix);

  ConfigStamp get() const;
  // The config was loaded (start) or a reload applied it.
  void loaded(std::string file, std::string sha256, int64_t now_us);
  // After loaded(): keys whose new values wait for a restart.
  void needs_restart(std::vector<std::string> keys);
  // A reload was refused and the running config kept.
  void reload_refused(std::string why, int64_t now_us);

 private:
  mutable std::mutex mutex_;
  ConfigStamp stamp_;
  metrics::Gauge& reload_successful_;
  metrics::Gauge& reload_success_time_;
};

}  // namespace regwatch::config
