#include "agent/app/syslog_replay.h"

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <limits>

namespace regwatch::agent {
namespace {

constexpr size_t kYearScanLines = 10000;

// Reads one line (without the newline) in bounded memory. A line longer than the parser's
// limit is cut one byte past it, so the parser flags it truncated; it is kept, and the rest
// of it is skipped without being held (a 3 GB file without a newline took 4 GB with getline).
bool read_line(std::istream& in, std::string& line) {
  constexpr auto kKeep = static_cast<std::streamsize>(syslog::kMaxLineBytes + 1);
  line.resize(static_cast<size_t>(kKeep) + 1);
  in.getline(line.data(), kKeep + 1);
  const std::streamsize extracted = in.gcount();
  if (in.bad() || extracted == 0) {
    line.clear();
    return false;  // the end (an empty line still extracts its newline)
  }
  if (in.fail() && !in.eof()) {  // kKeep bytes and no newline yet: the line goes on
    in.clear();
    in.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    line.resize(static_cast<size_t>(kKeep));
    return true;
  }
  // The newline was extracted (and counted) unless the file ended first.
  line.resize(static_cast<size_t>(in.eof() ? extracted : extracted - 1));
  return true;
}

int64_t file_mtime_us(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return 0;
  return int64_t{info.st_mtim.tv_sec} * 1'000'000 + info.st_mtim.tv_nsec / 1000;
}

// The time of the first line that states its year itself: the anchor for
// lines before it that do not.
int64_t first_dated_time(const std::string& path, int64_t fallback_us, int offset_minutes) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  syslog::LineContext context;
  context.reference_time_us = fallback_us;
  context.assumed_utc_offset_minutes = offset_minutes;
  for (size_t n = 0; n < kYearScanLines && read_line(in, line); ++n) {
    auto parsed = syslog::parse_syslog_line(line, context);
    const auto& time = parsed.event.time_info();
    if (!time.year_inferred() && !time.device_time_untrusted() &&
        parsed.event.event_time_us() != 0) {
      return parsed.event.event_time_us();
    }
  }
  return fallback_us;
}

}  // namespace

Result<ReplayResult> replay_syslog_file(const std::string& path, LinePipeline& pipeline,
                                        const ReplayOptions& options, const Clock& clock) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("replay_unreadable", "cannot read " + path);
  in.seekg(0, std::ios::end);
  const auto size = static_cast<uint64_t>(std::max<std::streamoff>(0, in.tellg()));
  in.seekg(0);

  const int64_t mtime = file_mtime_us(path);
  int64_t reference = first_dated_time(path, mtime, options.assumed_utc_offset_minutes);
  ReplayResult result;
  std::string line;
  auto next_progress = std::chrono::steady_clock::now();
  while (read_line(in, line)) {
    if (options.stop_requested && (result.lines & 0xff) == 0 && options.stop_requested()) break;
    if (line.empty() || line == "\r") continue;
    if (line.back() == '\r') line.pop_back();
    syslog::LineContext context;
    context.receive_time_us = clock.now_us();
    context.reference_time_us = reference;
    context.assumed_utc_offset_minutes = options.assumed_utc_offset_minutes;
    // A line without a time of its own gets the replay's receive time (flagged): it says
    // nothing about when the archive's lines happened, so it never moves the reference.
    const int64_t event_time = pipeline.handle(line, context);
    ++result.lines;
    if (event_time != 0) reference = event_time;
    if (options.on_progress && std::chrono::steady_clock::now() >= next_progress) {
      next_progress = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
      const auto position = in.tellg();
      options.on_progress(position < 0 ? size : static_cast<uint64_t>(position), size);
    }
  }
  if (in.bad()) return make_error("replay_read", "read error in " + path);
  if (options.on_progress) options.on_progress(size, size);
  return result;
}

}  // namespace regwatch::agent
