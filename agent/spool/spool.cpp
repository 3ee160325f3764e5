#include "agent/spool/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "agent/spool/segment_files.h"
#include "agent/spool/spool_record.h"
#include "agent/spool/stored_event.h"
#include "common/logging.h"

namespace regwatch::agent::spool {
namespace fs = std::filesystem;
namespace {

// Reclaim a wholly acked active segment past this size.
constexpr uint64_t kRollAckedActiveBytes = 1 << 20;
// read_after reads a segment in chunks of this size: a batch needs far less than a segment.
constexpr size_t kReadChunkBytes = 256 << 10;

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
  const uint64_t this_run =
      pending_full_ + pending_write_failed_ + pending_too_large_ + pending_unreadable_;
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
                           Part{"spool_event_too_large", "drop_newest", &pending_too_large_},
                           Part{"spool_unreadable_record", "", &pending_unreadable_}}) {
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

uint64_t Spool::read_stored_after(uint64_t after_seq, size_t max_events, size_t max_bytes,
                                  FunctionRef<void(uint64_t seq, std::string_view event)> take) {
  uint64_t read_to = 0;
  size_t events = 0;
  bool skipped = false;
  {
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
      while (events < max_events && bytes < max_bytes) {
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
        after_seq = read_to = record.seq;
        if (const auto fault = check_stored_event(record.payload, record.seq);
            fault != StoredEventFault::kNone) {
          // Never shipped: the collector could not parse the batch holding it, and would refuse
          // that batch every time it was sent. The inputs make every string valid UTF-8, so this
          // is a bug of ours or a damaged disk the checksum missed.
          if (record.seq > last_unparsable_seq_) {  // once each, however often it is read
            last_unparsable_seq_ = record.seq;
            ++stats_.unparsable_records;
            count_drop_locked(pending_unreadable_);
            skipped = true;
            component_logger("agent.spool")
                ->error(
                    "spool record seq {} is not an event the collector can read ({}): "
                    "dropped, not shipped ({} so far)",
                    record.seq, to_string(fault), stats_.unparsable_records);
          }
          continue;
        }
        bytes += record.payload.size();
        ++events;
        take(record.seq, record.payload);
      }
      const uint64_t consumed_to = offset - rest.size();
      cursor_ = ReadCursor{segment.path, consumed_to, after_seq + 1};
      if (events >= max_events || bytes >= max_bytes) break;
    }
    // After the walk over segments_, which a report's write may extend.
    if (skipped && !closed_) append_drop_report_locked();
  }
  if (skipped) data_cv_.notify_all();
  return read_to;
}

std::vector<regwatch::v1::Event> Spool::read_after(uint64_t after_seq, size_t max_events,
                                                   size_t max_bytes) {
  std::vector<regwatch::v1::Event> events;
  read_stored_after(after_seq, max_events, max_bytes, [&](uint64_t, std::string_view stored) {
    // Checked by read_stored_after, so it parses.
    events.emplace_back().ParseFromArray(stored.data(), static_cast<int>(stored.size()));
  });
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
