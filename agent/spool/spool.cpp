#include "agent/spool/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "agent/spool/spool_record.h"
#include "common/logging.h"

namespace regwatch::agent::spool {
namespace fs = std::filesystem;
namespace {

// Reclaim a wholly acked active segment past this size.
constexpr uint64_t kRollAckedActiveBytes = 1 << 20;
// read_after reads a segment in chunks of this size: a batch needs far less than a segment.
constexpr size_t kReadChunkBytes = 256 << 10;

fs::path segment_path(const fs::path& dir, uint64_t first_seq) {
  char name[64];
  std::snprintf(name, sizeof name, "segment-%020" PRIu64 ".log", first_seq);
  return dir / name;
}

bool write_all(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

// Reads up to `size` bytes at `offset`; short only at end of file or on error.
std::string read_at(const fs::path& path, uint64_t offset, size_t size) {
  std::string buffer;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return buffer;
  buffer.resize(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t n =
        ::pread(fd, buffer.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  buffer.resize(done);
  return buffer;
}

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

std::optional<DropPolicy> parse_drop_policy(std::string_view text) {
  if (text == "drop_oldest") return DropPolicy::kDropOldest;
  if (text == "drop_newest") return DropPolicy::kDropNewest;
  return std::nullopt;
}

std::string_view to_string(DropPolicy policy) {
  return policy == DropPolicy::kDropOldest ? "drop_oldest" : "drop_newest";
}

Spool::Spool(SpoolOptions options, std::string agent_id, const Clock& clock)
    : options_(std::move(options)),
      agent_id_(std::move(agent_id)),
      clock_(clock),
      state_file_(options_.dir / "state") {}

Result<std::unique_ptr<Spool>> Spool::open(const SpoolOptions& options, std::string agent_id,
                                           const Clock& clock) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return make_error(
        "spool_dir", "cannot create spool directory " + options.dir.string() + ": " + ec.message());
  }
  if (::access(options.dir.c_str(), W_OK) != 0) {
    return make_error("spool_dir", "spool directory " + options.dir.string() + " is not writable");
  }
  std::unique_ptr<Spool> spool(new Spool(options, std::move(agent_id), clock));
  if (auto recovered = spool->recover(); !recovered.ok()) return recovered.error();
  if (options.fsync_interval.count() > 0) {
    spool->fsync_thread_ = std::thread([raw = spool.get()] { raw->fsync_loop(); });
  }
  return spool;
}

Spool::~Spool() {
  close();
  if (fsync_thread_.joinable()) fsync_thread_.join();
  std::lock_guard lock(mutex_);
  save_state_locked();
  if (active_fd_ >= 0) {
    ::fdatasync(active_fd_);
    ::close(active_fd_);
  }
}

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

Status Spool::open_active_segment(uint64_t first_seq) {
  const fs::path path = segment_path(options_.dir, first_seq);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int error = errno;
    return make_error("spool_open",
                      "cannot create spool segment " + path.string() + ": " + std::strerror(error));
  }
  if (active_fd_ >= 0) {
    ::fdatasync(active_fd_);
    ::close(active_fd_);
  }
  active_fd_ = fd;
  segments_.push_back(Segment{first_seq, 0, 0, 0, path});
  return Ok{};
}

uint64_t Spool::total_bytes_locked() const {
  uint64_t total = 0;
  for (const auto& s : segments_) total += s.bytes;
  return total;
}

bool Spool::write_locked(regwatch::v1::Event& event) {
  event.set_agent_id(agent_id_);
  event.set_seq(state_.last_seq + 1);
  std::string payload;
  event.SerializeToString(&payload);
  if (payload.size() > kMaxRecordPayloadBytes) {
    ++stats_.oversized;
    refusal_ = WriteRefusal::kTooLarge;
    return false;
  }
  refusal_ = WriteRefusal::kWriteFailed;
  // `what` says which call failed and why (the errno's text, read where it was set).
  const auto log_failure = [this](const std::string& what) {
    uint64_t suppressed = 0;
    if (write_failure_log_.allow(suppressed)) {
      component_logger("agent.spool")
          ->error(
              "spool: {}; new events are refused (counted, reported as spool_write_failed "
              "once a write succeeds){}",
              what, suppressed ? " (" + std::to_string(suppressed) + " more failures)" : "");
    }
  };
  if (segments_.empty() || segments_.back().bytes >= options_.segment_bytes) {
    if (auto opened = open_active_segment(state_.last_seq + 1); !opened.ok()) {
      log_failure(opened.error().message);
      return false;
    }
  }
  scratch_.clear();
  encode_record(event.seq(), payload, scratch_);
  Segment& active = segments_.back();
  if (!write_all(active_fd_, scratch_)) {
    const int error = errno;  // before anything else can change it
    log_failure("cannot write to " + active.path.string() + ": " + std::strerror(error));
    // Leave no partial record behind; the caller counts the event as dropped.
    if (::ftruncate(active_fd_, static_cast<off_t>(active.bytes)) != 0) {
      component_logger("agent.spool")
          ->error("cannot truncate a failed write in {}", active.path.string());
    }
    return false;
  }
  refusal_ = WriteRefusal::kNone;
  active.bytes += scratch_.size();
  active.last_seq = event.seq();
  ++active.count;
  state_.last_seq = event.seq();
  ++stats_.appended;
  return true;
}

void Spool::make_room_locked(uint64_t needed) {
  while (total_bytes_locked() + needed > options_.max_bytes) {
    if (segments_.size() == 1) {
      if (segments_.back().count == 0) return;  // nothing left to drop
      if (!open_active_segment(state_.last_seq + 1).ok()) return;
    }
    const Segment oldest = segments_.front();
    // Its records after the acked seq: exact while its seqs are contiguous. Where recovery
    // skipped damage in it (a gap in its seqs), the seqs after the ack, capped by its records:
    // it may count again a seq already reported lost, but never misses a record.
    const uint64_t unacked = oldest.last_seq > state_.acked_seq
                                 ? std::min(oldest.count, oldest.last_seq - state_.acked_seq)
                                 : 0;
    state_.dropped_total += unacked;
    pending_full_ += unacked;
    fs::remove(oldest.path);
    segments_.erase(segments_.begin());
  }
  stats_.dropped_total = state_.dropped_total;
}

regwatch::v1::Event make_drop_report(const std::string& agent_id, const std::string& reason,
                                     const std::string& policy, uint64_t dropped,
                                     uint64_t dropped_total, int64_t now_us) {
  regwatch::v1::Event report;
  report.set_event_time_us(now_us);
  report.set_receive_time_us(now_us);
  report.set_origin(agent_id);
  report.set_source(regwatch::v1::SOURCE_AGENT);
  report.set_kind(regwatch::v1::AGENT_DROPS);
  auto* drops = report.mutable_agent_drops();
  drops->set_reason(reason);
  drops->set_policy(policy);
  drops->set_dropped(dropped);
  drops->set_dropped_total(dropped_total);
  return report;
}

void Spool::count_drop_locked(uint64_t& pending_of_reason) {
  ++state_.dropped_total;
  ++pending_of_reason;
  stats_.dropped_total = state_.dropped_total;
}

void Spool::append_drop_report_locked() {
  uint64_t pending = state_.dropped_total - state_.dropped_reported;
  if (pending == 0) return;
  const uint64_t this_run = pending_full_ + pending_write_failed_ + pending_too_large_;
  uint64_t before_restart = pending > this_run ? pending - this_run : 0;
  const std::string policy(to_string(options_.policy));
  struct Part {
    const char* reason;
    std::string policy;
    uint64_t* pending;
  };
  // Each cause its own report; a report that cannot be written leaves that cause (and those
  // after it) pending for the next attempt.
  for (const Part& part : {Part{"spool_dropped_before_restart", "", &before_restart},
                           Part{"spool_full", policy, &pending_full_},
                           Part{"spool_write_failed", "drop_newest", &pending_write_failed_},
                           Part{"spool_event_too_large", "drop_newest", &pending_too_large_}}) {
    const uint64_t count = *part.pending;
    if (count == 0) continue;
    auto report = make_drop_report(agent_id_, part.reason, part.policy, count,
                                   state_.dropped_reported + count, clock_.now_us());
    if (!write_locked(report)) return;
    state_.dropped_reported += count;
    *part.pending = 0;
    component_logger("agent.spool")
        ->warn("spool: dropped {} events ({}{}{}; {} in total)", count, part.reason,
               part.policy.empty() ? "" : ", ", part.policy, state_.dropped_total);
  }
}

bool Spool::append(regwatch::v1::Event event) {
  std::function<void()> listener;
  {
    std::lock_guard lock(mutex_);
    if (closed_) {
      ++state_.dropped_total;
      stats_.dropped_total = state_.dropped_total;
      return false;
    }
    const uint64_t needed = kRecordHeaderBytes + event.ByteSizeLong() + 16;
    if (total_bytes_locked() + needed > options_.max_bytes) {
      if (options_.policy == DropPolicy::kDropNewest) {
        count_drop_locked(pending_full_);
        return false;
      }
      make_room_locked(needed + 256);  // room for the drop report too
      append_drop_report_locked();
    }
    if (!write_locked(event)) {
      count_drop_locked(refusal_ == WriteRefusal::kTooLarge ? pending_too_large_
                                                            : pending_write_failed_);
      return false;
    }
    // The disk took a write again: say at once what it refused before.
    if (pending_write_failed_ > 0 || pending_too_large_ > 0) append_drop_report_locked();
    listener = on_append_;
  }
  data_cv_.notify_all();
  if (listener) listener();
  return true;
}

std::vector<regwatch::v1::Event> Spool::read_after(uint64_t after_seq, size_t max_events,
                                                   size_t max_bytes) {
  std::vector<regwatch::v1::Event> events;
  std::lock_guard lock(mutex_);
  size_t bytes = 0;
  for (const auto& segment : segments_) {
    if (segment.count == 0 || segment.last_seq <= after_seq) continue;
    // Records are contiguous in seq; continue at the cursor, or skip records up to after_seq.
    const uint64_t start = (cursor_.path == segment.path && cursor_.next_seq == after_seq + 1 &&
                            cursor_.offset <= segment.bytes)
                               ? cursor_.offset
                               : 0;
    // Read in bounded chunks: a batch needs far less than the rest of a segment.
    uint64_t offset = start;
    std::string data;
    std::string_view rest;
    while (events.size() < max_events && bytes < max_bytes) {
      auto record = decode_record(rest);  // once per record: it checks the CRC
      if (record.status == DecodeStatus::kNeedMore) {
        if (offset >= segment.bytes) break;
        const size_t want = static_cast<size_t>(std::min<uint64_t>(
            segment.bytes - offset,
            std::max<size_t>(kReadChunkBytes, rest.size() + kMaxRecordPayloadBytes)));
        std::string chunk = std::string(rest) + read_at(segment.path, offset, want);
        offset += want;
        data = std::move(chunk);
        rest = data;
        continue;
      }
      if (record.status != DecodeStatus::kOk) break;
      rest.remove_prefix(record.size);
      if (record.seq <= after_seq) continue;
      regwatch::v1::Event event;
      if (!event.ParseFromArray(record.payload.data(), static_cast<int>(record.payload.size()))) {
        continue;
      }
      bytes += record.payload.size();
      after_seq = record.seq;
      events.push_back(std::move(event));
    }
    const uint64_t consumed_to = offset - rest.size();
    cursor_ = ReadCursor{segment.path, consumed_to, after_seq + 1};
    if (events.size() >= max_events || bytes >= max_bytes) break;
  }
  return events;
}

bool Spool::remove_acked_segment_locked(const fs::path& path) {
  std::error_code error;
  fs::remove(path, error);
  if (!error) return true;
  // Never thrown into the shipper's ack path (it used to stop shipping and SIGTERM with it):
  // the segment is kept, still acknowledged, and deleting it is tried again at the next ack.
  if (++failed_deletions_ == 1 || failed_deletions_ % 1000 == 0) {
    component_logger("agent.spool")
        ->error(
            "cannot delete acknowledged spool segment {}: {} (kept; tried again at each ack, "
            "{} failure(s) so far)",
            path.string(), error.message(), failed_deletions_);
  }
  return false;
}

void Spool::delete_acked_segments_locked() {
  while (segments_.size() > 1 && segments_.front().last_seq <= state_.acked_seq) {
    if (!remove_acked_segment_locked(segments_.front().path)) return;
    segments_.erase(segments_.begin());
  }
  Segment& active = segments_.back();
  if (segments_.size() == 1 && active.count > 0 && active.last_seq <= state_.acked_seq &&
      active.bytes >= kRollAckedActiveBytes) {
    if (open_active_segment(state_.last_seq + 1).ok() &&
        remove_acked_segment_locked(segments_.front().path)) {
      segments_.erase(segments_.begin());
    }
  }
}

void Spool::ack(uint64_t seq) {
  {
    std::lock_guard lock(mutex_);
    if (seq <= state_.acked_seq) return;
    state_.acked_seq = std::min(seq, state_.last_seq);
    delete_acked_segments_locked();
    if (!closed_ && total_bytes_locked() < options_.max_bytes) append_drop_report_locked();
    save_state_locked();
  }
  data_cv_.notify_all();
}

void Spool::save_state_locked() {
  if (auto saved = save_state(state_file_, state_); !saved.ok()) {
    component_logger("agent.spool")->error("{}", saved.error().message);
  }
}

bool Spool::wait_for_data_after(uint64_t seq, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return data_cv_.wait_for(lock, timeout, [&] { return closed_ || state_.last_seq > seq; }) &&
         state_.last_seq > seq;
}

void Spool::set_append_listener(std::function<void()> on_append) {
  std::lock_guard lock(mutex_);
  on_append_ = std::move(on_append);
}

void Spool::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  data_cv_.notify_all();
  fsync_cv_.notify_all();
}

void Spool::flush() {
  std::lock_guard lock(mutex_);
  if (active_fd_ >= 0) ::fdatasync(active_fd_);
  save_state_locked();
}

void Spool::fsync_loop() {
  std::unique_lock lock(mutex_);
  while (!closed_) {
    fsync_cv_.wait_for(lock, options_.fsync_interval, [&] { return closed_; });
    if (active_fd_ >= 0) ::fdatasync(active_fd_);
  }
}

uint64_t Spool::acked_seq() const {
  std::lock_guard lock(mutex_);
  return state_.acked_seq;
}

uint64_t Spool::last_seq() const {
  std::lock_guard lock(mutex_);
  return state_.last_seq;
}

SpoolStats Spool::stats() const {
  std::lock_guard lock(mutex_);
  SpoolStats stats = stats_;
  stats.dropped_total = state_.dropped_total;
  stats.bytes_on_disk = total_bytes_locked();
  stats.segments = segments_.size();
  stats.acked_seq = state_.acked_seq;
  stats.last_seq = state_.last_seq;
  return stats;
}

}  // namespace regwatch::agent::spool
