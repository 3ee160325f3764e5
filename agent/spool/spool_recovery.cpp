// Spool recovery at open: load the state file, scan every segment, keep each good record,
// set damaged ranges aside and report what was lost (docs/architecture.md, agent/spool/).
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "agent/spool/segment_files.h"
#include "agent/spool/spool.h"
#include "agent/spool/spool_record.h"
#include "common/logging.h"

namespace regwatch::agent::spool {
namespace fs = std::filesystem;
namespace {

// Where a damaged segment is kept for inspection: beside it, under a name recovery does not
// take for a segment (it does not end in .log).
fs::path damaged_copy_path(const fs::path& segment, int64_t now_us) {
  const std::time_t seconds = static_cast<std::time_t>(now_us / 1'000'000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &utc);
  fs::path path = segment.string() + ".damaged-" + stamp;
  std::error_code ec;
  for (int n = 1; fs::exists(path, ec); ++n) {
    path = segment.string() + ".damaged-" + stamp + "-" + std::to_string(n);
  }
  return path;
}

// Replaces a segment by its good records only (write aside, fsync, rename), so the damage is
// neither read again nor counted twice.
Status rewrite_segment(const fs::path& path, const std::string& bytes, const SegmentScan& scan) {
  const fs::path temp = path.string() + ".rewrite";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error("spool_recovery", "cannot create " + temp.string());
  bool ok = true;
  for (const auto& [offset, size] : scan.good) ok = ok && write_all(fd, bytes.substr(offset, size));
  ok = ok && ::fdatasync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return make_error("spool_recovery", "cannot rewrite damaged segment " + path.string());
  }
  // The rename itself must survive a power loss, or the damage would be counted again.
  if (const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return Ok{};
}

}  // namespace

Status Spool::recover() {
  std::error_code ec;
  const bool creating = !fs::exists(state_file_, ec);
  auto loaded = load_state(state_file_);
  if (!loaded.ok()) return loaded.error();
  state_ = *loaded;
  if (creating) {
    if (options_.incarnation_if_created.empty()) {
      auto made = new_incarnation();
      if (!made.ok()) return made.error();
      state_.incarnation = *made;
    } else {
      state_.incarnation = options_.incarnation_if_created;
    }
    // Saved before any seq is assigned: a seq must never go out under an
    // incarnation the next open would not know.
    if (auto saved = save_state(state_file_, state_); !saved.ok()) return saved.error();
  }
  incarnation_ = state_.incarnation;
  auto log = component_logger("agent.spool");
  std::vector<std::pair<uint64_t, fs::path>> files;
  for (const auto& entry : fs::directory_iterator(options_.dir)) {
    const auto name = entry.path().filename().string();
    if (name.starts_with("segment-") && name.ends_with(".log.rewrite")) {
      // A rewrite a crash interrupted: the segment it was to replace is still whole.
      std::error_code error;
      fs::remove(entry.path(), error);
      continue;
    }
    uint64_t first = 0;
    if (std::sscanf(name.c_str(), "segment-%" SCNu64 ".log", &first) == 1 &&
        name.ends_with(".log")) {
      // Something else named like a segment (a directory someone made, a dangling link) is
      // not ours to read or delete: left alone, and said, rather than aborting the agent.
      std::error_code error;
      if (!entry.is_regular_file(error)) {
        log->warn("spool {}: {} is named like a segment but is not a file; left alone",
                  options_.dir.string(), name);
        continue;
      }
      files.emplace_back(first, entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  if (creating && !files.empty()) {
    // The state file was lost, not the spool: what the collector acknowledged is unknown, so
    // everything is sent again, now under a new incarnation, and may be stored twice.
    log->warn(
        "spool {} has segments but no state file: starting incarnation {}; events the "
        "collector already had may be stored a second time",
        options_.dir.string(), state_.incarnation);
  }
  // What the state file said, before the segments raise it: the highest seq it knew to be
  // assigned bounds what a damaged tail of the newest segment held.
  const uint64_t state_last_seq = state_.last_seq;
  uint64_t corrupt_lost = 0, torn_lost = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& [first, path] = files[i];
    // A segment is named after the seq it was opened for: every seq before it was assigned,
    // and the next segment's name ends what this one can hold.
    state_.last_seq = std::max(state_.last_seq, first > 0 ? first - 1 : 0);
    const uint64_t next_first = i + 1 < files.size() ? files[i + 1].first : 0;
    const std::string bytes = read_at(path, 0, static_cast<size_t>(fs::file_size(path)));
    const SegmentScan scan = scan_segment(bytes, first);
    state_.last_seq = std::max(state_.last_seq, scan.last_seq);
    bool damaged = false;
    for (const auto& range : scan.damaged) {
      ++stats_.corrupt_records;
      damaged = damaged || !range.torn_tail;
      state_.last_seq = std::max(state_.last_seq, range.tail_seq);
      // Records the collector acknowledged are not lost. Where the seq after the range is
      // known (a good record, the next segment), the gap counts what was lost; at the end of
      // the newest segment, the state file's last seq if it knew more, else one record.
      const uint64_t from = std::max(range.after_seq, state_.acked_seq);
      const uint64_t until = range.next_seq != 0 ? range.next_seq : next_first;
      uint64_t lost = 0;
      if (until != 0) {
        lost = until > from + 1 ? until - from - 1 : 0;
      } else {
        const uint64_t known = std::max(state_last_seq, range.tail_seq);
        lost = known > from ? known - from : (range.after_seq >= state_.acked_seq ? 1 : 0);
      }
      (range.torn_tail ? torn_lost : corrupt_lost) += lost;
      log->warn("spool segment {}: {} bytes at byte {} ({}), after seq {}; {}; {} records lost",
                path.string(), range.size, range.offset,
                range.torn_tail ? "torn record" : "corrupt record", range.after_seq,
                range.next_seq != 0 ? "resynchronised at seq " + std::to_string(range.next_seq)
                                    : std::string("nothing readable after it"),
                lost);
    }
    if (damaged) {
      const fs::path aside = damaged_copy_path(path, clock_.now_us());
      std::error_code error;
      if (!fs::copy_file(path, aside, error)) {
        return make_error("spool_recovery", "cannot keep damaged segment " + path.string() +
                                                " aside as " + aside.string() + ": " +
                                                error.message());
      }
      log->warn("spool segment {}: damaged copy kept as {}", path.string(), aside.string());
    }
    if (!scan.damaged.empty()) {
      if (auto rewritten = rewrite_segment(path, bytes, scan); !rewritten.ok()) {
        return rewritten.error();
      }
    }
    if (scan.count == 0 || scan.last_seq <= state_.acked_seq) {
      fs::remove(path);
      continue;
    }
    segments_.push_back(Segment{first, scan.last_seq, scan.count, scan.good_bytes, path});
  }
  state_.acked_seq = std::min(state_.acked_seq, state_.last_seq);
  stats_.dropped_total = state_.dropped_total;
  if (!segments_.empty() && segments_.back().bytes < options_.segment_bytes) {
    const int fd = ::open(segments_.back().path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return make_error("spool_open", "cannot reopen " + segments_.back().path.string());
    active_fd_ = fd;
  } else if (auto opened = open_active_segment(state_.last_seq + 1); !opened.ok()) {
    return opened.error();
  }
  report_recovery_drops_locked("spool_corrupt_record", corrupt_lost);
  report_recovery_drops_locked("spool_torn_tail", torn_lost);
  save_state_locked();
  return Ok{};
}

void Spool::report_recovery_drops_locked(const std::string& reason, uint64_t lost) {
  if (lost == 0) return;
  state_.dropped_total += lost;
  stats_.dropped_total = state_.dropped_total;
  auto report =
      make_drop_report(agent_id_, reason, "", lost, state_.dropped_total, clock_.now_us());
  if (write_locked(report)) {
    state_.dropped_reported += lost;
  } else {
    // Counted still: the next report carries it, as spool_dropped_before_restart (damage
    // from before this run).
    component_logger("agent.spool")
        ->error("spool {}: cannot write the drop report for {} records lost ({})",
                options_.dir.string(), lost, reason);
  }
}

}  // namespace regwatch::agent::spool
