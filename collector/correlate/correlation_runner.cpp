#include "collector/correlate/correlation_runner.h"

#include <algorithm>
#include <chrono>

#include "collector/correlate/incident_record.h"
#include "collector/store/store_backend.h"
#include "common/logging.h"

namespace regwatch::collector {
namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kContextUs = 2 * kHour;  // events read around the dirty range
constexpr int64_t kReplaceUs = kHour;      // incidents rewritten around it (bursts are shorter)
// Bounds a pass's memory (about 1 KiB per event in correlation). A 100,000-phone site with a
// 40,000-phone burst puts about 240,000 events within the context.
constexpr size_t kMaxEventsPerPass = 1'000'000;
// Bounds the event window (about 0.75 KiB an event: 240,000 at 100,000 phones are 177 MiB);
// a context holding more is read from the store per pass instead.
constexpr size_t kMaxWindowEvents = 500'000;
constexpr int64_t kNarrowContextUs = 15 * 60'000'000LL;
// How far behind the live passes' context the phone directory is kept (see recompute_recent).
constexpr int64_t kDirectoryLagUs = 15 * 60'000'000LL;
// Bounds the registrations and attachments read from before the context (one of each per phone
// is kept).
constexpr size_t kMaxAttachments = 2'000'000;
// How long a live pass waits for more commits to join it: short, because a burst crossing its
// threshold just after a pass began is reported a pass, this wait and another pass later.
constexpr auto kLiveSettle = std::chrono::milliseconds(100);
// How often a collector that follows the store (collectors in pairs) looks for rows other
// collectors stored: a burst that arrives through the other collector pages this much later.
constexpr auto kFollowPoll = std::chrono::milliseconds(500);
// A replay's pass waits this many times as long as the last pass took (see run()).
constexpr int kReplayWaitPerPass = 3;
// Event times older than this are a replay (or an agent's spool draining), not a live burst.
constexpr int64_t kLiveHorizonUs = 10 * 60'000'000LL;

// The kinds correlation reads: drops, registrations, attachment, and causes.
const char* const kRelevantKinds[] = {"phone_registered",
                                      "phone_unregistered",
                                      "phone_registration_failed",
                                      "connection_lost",
                                      "keepalive_missed",
                                      "phone_auth_failed",
                                      "topology",
                                      "cpu_high",
                                      "cpu_pegging",
                                      "code_yellow",
                                      "heartbeat_low",
                                      "cm_slow",
                                      "cm_failed",
                                      "device_restart",
                                      "interface_errors",
                                      "link_down",
                                      "err_disabled",
                                      "stack_member_removed",
                                      "poe_fault",
                                      "registered_phones",
                                      "cm_device_reset",
                                      "boot_stalled",
                                      "tftp_server_unanswered"};

}  // namespace

CorrelationRunner::CorrelationRunner(std::string db_path, correlate::CorrelationSettings settings,
                                     const Clock& clock)
    : db_path_(std::move(db_path)),
      settings_(settings),
      clock_(clock),
      kinds_(std::begin(kRelevantKinds), std::end(kRelevantKinds)),
      window_(kinds_, kMaxWindowEvents) {}

CorrelationRunner::~CorrelationRunner() {
  stop();
}

Status CorrelationRunner::start() {
  auto backend = store::open_store_backend(db_path_);
  if (!backend.ok()) return backend.error();
  auto reader = (*backend)->open_source();
  if (!reader.ok()) return reader.error();
  auto writer = store::IncidentWriter::open(db_path_);
  if (!writer.ok()) return writer.error();
  reader_ = std::move(reader).value();
  writer_ = std::move(writer).value();
  if (follow_store_) {
    // What is stored before the start was correlated by whoever led then; a takeover reads
    // on from here (rows stored while this collector followed included).
    auto newest = reader_->newest_id();
    if (!newest.ok()) return newest.error();
    followed_id_ = *newest;
  }
  thread_ = std::thread([this] { run(); });
  return Ok{};
}

void CorrelationRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CorrelationRunner::follow_store(std::function<bool()> leading) {
  follow_store_ = true;
  leading_ = std::move(leading);
}

void CorrelationRunner::on_stored(int64_t min_event_us, int64_t max_event_us) {
  if (follow_store_) {
    // The range comes from the store (follow_new_rows), which sees every collector's rows;
    // this collector's commit only says to look now.
    {
      std::lock_guard lock(mutex_);
      poll_now_ = true;
    }
    wake_.notify_one();
    return;
  }
  mark_dirty(min_event_us, max_event_us);
}

void CorrelationRunner::mark_dirty(int64_t min_event_us, int64_t max_event_us) {
  {
    std::lock_guard lock(mutex_);
    if (dirty_) {
      dirty_->first = std::min(dirty_->first, min_event_us);
      dirty_->second = std::max(dirty_->second, max_event_us);
    } else {
      dirty_.emplace(min_event_us, max_event_us);
    }
  }
  wake_.notify_one();
}

uint64_t CorrelationRunner::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

bool CorrelationRunner::wait_passes(uint64_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return passed_.wait_for(lock, timeout, [&] { return passes_ >= count; });
}

void CorrelationRunner::update_settings(correlate::CorrelationSettings settings) {
  {
    std::lock_guard lock(mutex_);
    next_settings_ = settings;
  }
  wake_.notify_all();
}

void CorrelationRunner::run() {
  // Open incidents whose quiet period has passed are looked for this often: with no later
  // event to recompute them, they resolve by the collector's clock (quiet_s / 10, 1 to 10 s).
  std::unique_lock lock(mutex_);
  auto next_quiet_check = std::chrono::steady_clock::now();
  while (true) {
    if (next_settings_) {  // a reload: from this pass on
      settings_ = *next_settings_;
      next_settings_.reset();
    }
    const auto quiet_check =
        std::chrono::seconds(std::clamp<uint32_t>(settings_.quiet_s / 10, 1, 10));
    const auto wait = follow_store_ ? std::min<std::chrono::milliseconds>(quiet_check, kFollowPoll)
                                    : std::chrono::milliseconds(quiet_check);
    wake_.wait_for(lock, wait, [&] { return stopping_ || dirty_.has_value() || poll_now_; });
    if (follow_store_) {
      // Collectors in pairs: only the leader correlates, from what every collector stored.
      poll_now_ = false;
      lock.unlock();
      const bool lead = leading_();
      if (lead) follow_new_rows();
      lock.lock();
      if (!lead) {
        dirty_.reset();  // the leader's passes cover it
        if (stopping_) return;
        continue;
      }
    }
    if (!stopping_ && std::chrono::steady_clock::now() >= next_quiet_check) {
      next_quiet_check = std::chrono::steady_clock::now() + quiet_check;
      lock.unlock();
      mark_quiet_incidents();
      lock.lock();
    }
    if (!dirty_) {
      if (stopping_) return;  // nothing left to do
      continue;
    }
    // Let a stream of commits settle briefly into one pass (bounded: a burst
    // still shows within about a second). An archive being replayed (event
    // times long past) waits kReplayWaitPerPass times as long as the last pass
    // took, so correlation takes at most a quarter of a core from ingest while
    // nobody waits for a page (each pass covers the whole context, so fewer,
    // larger passes also cost less in all). When stopping, the last range is
    // still correlated before the thread ends.
    auto settle = kLiveSettle;
    if (dirty_->second < clock_.now_us() - kLiveHorizonUs)
      settle = std::max<std::chrono::milliseconds>(settle, kReplayWaitPerPass * last_pass_);
    if (!stopping_) wake_.wait_for(lock, settle, [&] { return stopping_; });
    const auto range = *dirty_;
    dirty_.reset();
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    pass_failed_ = false;
    recompute(range.first, range.second);
    const auto took = std::chrono::steady_clock::now() - started;
    last_pass_ = std::chrono::duration_cast<std::chrono::milliseconds>(took);
    if (!pass_failed_) {
      if (auto open = writer_->open_counts(); open.ok()) metrics_.open_incidents(*open);
    }
    metrics_.pass(std::chrono::duration<double>(took).count(), !pass_failed_, clock_.now_us());
    lock.lock();
    ++passes_;
    passed_.notify_all();
  }
}

void CorrelationRunner::follow_new_rows() {
  auto after = reader_->rows_after(followed_id_);
  if (!after.ok()) {
    component_logger("collector.correlate")
        ->error("correlation could not read the rows stored since row {}: {}", followed_id_,
                after.error().message);
    return;
  }
  followed_id_ = after->last_id;
  if (after->rows > 0) mark_dirty(after->min_event_us, after->max_event_us);
}

void CorrelationRunner::mark_quiet_incidents() {
  const int64_t quiet_us = int64_t{settings_.quiet_s} * 1'000'000;
  auto quiet = writer_->open_ended_before(clock_.now_us() - quiet_us);
  if (!quiet.ok()) {
    component_logger("collector.correlate")
        ->error("correlation could not read open incidents: {}", quiet.error().message);
    return;
  }
  if (*quiet) mark_dirty((*quiet)->first, (*quiet)->second);
}

std::optional<int64_t> CorrelationRunner::read_context(int64_t min_event_us, int64_t max_event_us,
                                                       std::vector<correlate::StoredEvent>& input) {
  auto log = component_logger("collector.correlate");
  auto read = [&](int64_t context_us) -> Result<bool> {
    input.clear();
    return reader_->scan_events(min_event_us - context_us, max_event_us + context_us, kinds_,
                                kMaxEventsPerPass, [&](int64_t id, regwatch::v1::Event&& event) {
                                  input.push_back({id, std::move(event)});
                                });
  };
  int64_t context_us = kContextUs;
  auto cut = read(context_us);
  if (cut.ok() && *cut) {
    // A busy range: keep what decides the bursts in it (their window, quiet time and lookback)
    // rather than hours of context.
    log->warn(
        "correlation: more than {} events within {} h of the new ones; reading the last "
        "{} minutes around them instead",
        kMaxEventsPerPass, kContextUs / kHour, kNarrowContextUs / 60'000'000);
    context_us = kNarrowContextUs;
    cut = read(context_us);
  }
  if (!cut.ok()) {
    log->error("correlation could not read events: {}", cut.error().message);
    pass_failed_ = true;
    return std::nullopt;
  }
  if (*cut) {
    log->error(
        "correlation: more than {} events even around the new ones; the oldest were left "
        "out and incidents that started before them may be incomplete",
        kMaxEventsPerPass);
  }
  return min_event_us - context_us;
}

void CorrelationRunner::recompute(int64_t min_event_us, int64_t max_event_us) {
  // A recent range (live, or within the context of live) is served from memory; an older one
  // (an archive replayed, a spool of last night) reads the store, so importing it does not move
  // the window away from the present. Either way what is known of the phones from before the
  // context (PhoneDirectory) is put ahead of it, the same for both.
  if (max_event_us >= clock_.now_us() - kContextUs && recompute_recent(min_event_us, max_event_us))
    return;
  std::vector<correlate::StoredEvent> read;
  const auto read_from = read_context(min_event_us, max_event_us, read);
  if (!read_from) return;
  std::vector<const correlate::StoredEvent*> input;
  input.reserve(read.size());
  for (const auto& stored : read) input.push_back(&stored);
  PhoneDirectory before;  // of this pass only: the live one stays where the live passes are
  if (before.load(*reader_, *read_from, kMaxAttachments)) before.add_to(input);
  correlate_and_store(std::move(input), min_event_us, max_event_us);
}

bool CorrelationRunner::recompute_recent(int64_t min_event_us, int64_t max_event_us) {
  const int64_t context_from = min_event_us - kContextUs, context_to = max_event_us + kContextUs;
  const uint64_t window_loads = window_.loads();
  const auto offer_late_row = [this](int64_t id, const regwatch::v1::Event& event) {
    if (directory_.loaded()) directory_.offer(id, event);
  };
  // The window also holds what lies between the directory's point and the context, wherever
  // that point is after this pass (kept, or reloaded kDirectoryLagUs before the context).
  int64_t hold_from = context_from - kDirectoryLagUs;
  if (directory_.loaded()) hold_from = std::min(hold_from, directory_.until());
  if (!window_.serve_from(*reader_, hold_from, offer_late_row)) return false;
  auto input = window_.events_in(context_from, context_to);
  // The directory is kept a little behind the passes (kDirectoryLagUs), so that a pass whose
  // range starts somewhat earlier than the last one's (a late line in a batch) needs no reload,
  // and is moved on in steps; loaded again on a collector start, a window reload whose rows it
  // did not see, or a range reaching back before it.
  if (!directory_.loaded() || window_loads != window_.loads() ||
      context_from < directory_.until() || window_.start() > directory_.until()) {
    directory_.load(*reader_, context_from - kDirectoryLagUs, kMaxAttachments);
  } else if (context_from - directory_.until() > 2 * kDirectoryLagUs) {
    const int64_t point = context_from - kDirectoryLagUs;
    directory_.advance(window_.events_in(directory_.until(), point), point);
  }
  // Never serve a pass whose overlay the window cannot give in full: the store path then.
  if (!directory_.loaded() || window_.start() > directory_.until()) return false;
  directory_.add_to(input, window_.events_in(directory_.until(), context_from));
  correlate_and_store(std::move(input), min_event_us, max_event_us);
  return true;
}

void CorrelationRunner::correlate_and_store(std::vector<const correlate::StoredEvent*> input,
                                            int64_t min_event_us, int64_t max_event_us) {
  auto log = component_logger("collector.correlate");
  const int64_t from = min_event_us - kReplaceUs, to = max_event_us + kReplaceUs;
  std::vector<store::IncidentRow> rows;
  for (const auto& incident : correlate::correlate(std::move(input), settings_, clock_.now_us())) {
    if (incident.start_us < from || incident.start_us >= to) continue;
    store::IncidentRow row;
    row.id = incident.id;
    row.state = incident.state;
    row.incident_class = incident.incident_class;
    row.scope_type = incident.scope.type;
    row.scope_name = incident.scope.name;
    row.start_time_us = incident.start_us;
    row.end_time_us = incident.end_us;
    row.phone_count = static_cast<uint32_t>(incident.phones.size());
    row.top_cause = incident.causes.empty() ? "unknown" : incident.causes.front().kind;
    row.phones = incident.phones;
    row.record = correlate::incident_record(incident);
    rows.push_back(std::move(row));
  }
  auto written = writer_->replace_range(from, to, rows, clock_.now_us());
  if (!written.ok()) {
    log->error("correlation could not store incidents: {}", written.error().message);
    pass_failed_ = true;
    return;
  }
  for (const auto& w : *written) {
    if (w.change.empty()) continue;
    log->info("incident {}{}: {}", w.key, w.id == w.key ? "" : " (now " + w.id + ")", w.change);
  }
  if (incidents_handler_ && !written->empty()) incidents_handler_(std::move(written).value());
}

}  // namespace regwatch::collector
