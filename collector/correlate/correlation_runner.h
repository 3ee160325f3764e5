#pragma once
// Runs correlation in the collector: after each stored batch, the event-time
// range it touched is marked dirty; one thread recomputes the incidents of
// that range (with two hours of context either side, and what is known of
// every phone from before them: PhoneDirectory) and replaces them in the
// incidents table. Commits that arrive while it works are merged into the next
// pass, so a replay of a big archive costs a few passes, not one per batch.
// Recent ranges are served from memory (EventWindow: only the rows committed
// since the last pass are read), older ones from the store; both give
// correlate() the same input. A live burst is in the table within a second of
// the batch that crosses its threshold, at 100,000 phones. An open incident whose
// quiet period has passed by the collector's clock is recomputed with no new event,
// so it resolves (listing the phones still down) instead of staying open forever.
//
// Each pass is timed and counted in the process's metrics (correlation_metrics.h).
//
// Threads: on_stored() from the commit thread; everything else on its own.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "collector/correlate/correlation_metrics.h"
#include "collector/correlate/correlator.h"
#include "collector/correlate/event_window.h"
#include "collector/correlate/phone_directory.h"
#include "collector/store/event_source.h"
#include "collector/store/incident_store.h"
#include "common/clock.h"

namespace regwatch::collector {

class CorrelationRunner {
 public:
  CorrelationRunner(std::string db_path, correlate::CorrelationSettings settings,
                    const Clock& clock);
  ~CorrelationRunner();
  Status start();
  void stop();
  void on_stored(int64_t min_event_us, int64_t max_event_us);
  // Collectors in pairs (a shared PostgreSQL store): passes run only while `leading` says this
  // collector leads, and their ranges come from what every collector stored (polled from the
  // store every half second, and at once after this collector's own commits). A collector that
  // takes over reads on from the row it had reached when it last led (or started). Call
  // before start(); `leading` is called from the runner's thread.
  void follow_store(std::function<bool()> leading);
  // Called after each pass with the incidents it wrote or withdrew; set before start().
  void on_incidents(std::function<void(std::vector<store::KeyedIncident>)> handler) {
    incidents_handler_ = std::move(handler);
  }
  // A reload (SIGHUP): thresholds and windows for the passes that start from now on; incidents
  // already stored keep what they were computed with until a later event recomputes them.
  void update_settings(correlate::CorrelationSettings settings);
  uint64_t passes() const;
  // Waits until at least `count` passes are done; false when `timeout` passes first (tests).
  bool wait_passes(uint64_t count, std::chrono::milliseconds timeout) const;

 private:
  void run();
  void mark_dirty(int64_t min_event_us, int64_t max_event_us);
  // follow_store: marks dirty the event times of the rows stored since followed_id_.
  void follow_new_rows();
  void recompute(int64_t min_event_us, int64_t max_event_us);
  // Marks dirty the range of the open incidents whose quiet period has passed by the clock.
  void mark_quiet_incidents();
  // The context of a range read from the store (+-2 h, or 15 min when that holds too many):
  // the start of the range read, or nullopt when the read failed (logged).
  std::optional<int64_t> read_context(int64_t min_event_us, int64_t max_event_us,
                                      std::vector<correlate::StoredEvent>& input);
  // A recent range, from the event window: false when the window could not serve it.
  bool recompute_recent(int64_t min_event_us, int64_t max_event_us);
  void correlate_and_store(std::vector<const correlate::StoredEvent*> input, int64_t min_event_us,
                           int64_t max_event_us);

  std::string db_path_;
  correlate::CorrelationSettings settings_;                      // run thread only
  std::optional<correlate::CorrelationSettings> next_settings_;  // under mutex_: a reload's
  const Clock& clock_;
  std::unique_ptr<store::EventSource> reader_;
  std::unique_ptr<store::IncidentWriter> writer_;
  const std::vector<std::string> kinds_;  // the kinds correlation reads
  EventWindow window_;                    // live passes' context (run thread only)
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  mutable std::condition_variable passed_;  // after each pass, for wait_passes
  std::optional<std::pair<int64_t, int64_t>> dirty_;
  bool follow_store_ = false;      // set before start()
  std::function<bool()> leading_;  // follow_store's gate (run thread only)
  int64_t followed_id_ = 0;        // run thread only
  bool poll_now_ = false;          // under mutex_: a commit of this collector
  bool stopping_ = false;
  uint64_t passes_ = 0;
  std::chrono::milliseconds last_pass_{0};  // how long the last pass took (run thread only)
  bool pass_failed_ = false;                // the pass under way could not read or store
  CorrelationMetrics metrics_;              // docs/metrics.md (run thread only)
  std::function<void(std::vector<store::KeyedIncident>)> incidents_handler_;
  // Every phone's latest CDP/LLDP attachment and registration before the live passes'
  // context (often days old): scope sizes and a dropping phone's place count phones learned
  // long before the context. Run thread only.
  PhoneDirectory directory_;
  std::thread thread_;
};

}  // namespace regwatch::collector
