#pragma once
// One named spdlog logger per component ("agent.syslog", "collector.store", ...), all writing
// through ONE shared stderr sink, so switching the format (set_log_format) or the level
// (set_log_level, at runtime too: the daemons reload it on SIGHUP) applies to every logger.
// Hot paths use RateLimitedLog so a flood of bad input costs a counter, not a disk.
//
// Under systemd, when stderr is the journal (JOURNAL_STREAM names fd 2's device and inode, as
// sd_journal_stream_fd(3) documents), text lines carry no timestamp of ours (the journal stamps
// them) and every line starts with its syslog priority "<N>" (sd-daemon(3)), which journald
// turns into the entry's PRIORITY, so `journalctl -p warning` works.
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace regwatch {

// Returns the component's logger, creating it on first use. Thread-safe.
std::shared_ptr<spdlog::logger> component_logger(const std::string& name);

// "trace".."critical","off"; unknown names leave the level unchanged and return false.
bool set_log_level(const std::string& level);
// Whether set_log_level would accept it (config checks run before anything logs).
bool is_log_level(const std::string& level);

// text: "2026-12-06T13:48:02.123Z info  [agent.syslog] message" (today's pattern);
// json: one object a line, {"ts","level","logger","msg"}; logfmt: ts=... level=... logger=...
// msg="..." (for log shippers: Vector, Promtail, Fluent Bit).
enum class LogFormat { kText, kJson, kLogfmt };
inline constexpr std::string_view kLogFormatNames = "text, json, logfmt";
// nullopt for anything but "text", "json", "logfmt".
std::optional<LogFormat> parse_log_format(std::string_view name);
// Switches every logger (present and future) to this format. Thread-safe.
void set_log_format(LogFormat format);

// Whether fd is the journal's stream: journal_stream (JOURNAL_STREAM's value, "DEV:INODE" in
// decimal; null when unset) names fd's st_dev and st_ino. A pipe or file inherited by a child of
// the service (JOURNAL_STREAM still set) does not match, so its logs keep their timestamps.
bool is_journal_stream(int fd, const char* journal_stream);

// One log line as the shared sink writes it (without the newline); the pure part of the sink,
// apart for tests. to_journal: "<N>" priority prefix, and no timestamp in text.
struct LogLine {
  std::chrono::system_clock::time_point time;
  spdlog::level::level_enum level = spdlog::level::info;
  std::string_view logger;
  std::string_view message;
};
std::string render_log_line(const LogLine& line, LogFormat format, bool to_journal);
// The sd-daemon(3) priority of a level: 7 debug (and trace), 6 info, 4 warning, 3 error,
// 2 critical.
int syslog_priority(spdlog::level::level_enum level);

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
