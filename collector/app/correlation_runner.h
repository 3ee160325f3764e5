#pragma once
// Runs correlation in the collector: after each stored batch, the event-time
// range it touched is marked dirty; one thread recomputes the incidents of
// that range (with two hours of context either side) from the store and
// replaces them in the incidents table. Commits that arrive while it works
// are merged into the next pass, so a replay of a big archive costs a few
// passes, not one per batch; a live burst is in the table within about a
// second of the batch that completes it.
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

#include "collector/app/event_window.h"
#include "collector/correlate/correlator.h"
#include "collector/store/event_store.h"
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
  // Called after each pass with the incidents it wrote or withdrew; set before start().
  void on_incidents(std::function<void(std::vector<store::KeyedIncident>)> handler) {
    incidents_handler_ = std::move(handler);
  }
  uint64_t passes() const;

 private:
  void run();
  void recompute(int64_t min_event_us, int64_t max_event_us);
  // The context of a range read from the store (+-2 h, or 15 min when that holds too many);
  // false when the read failed (logged).
  bool read_context(int64_t min_event_us, int64_t max_event_us,
                    std::vector<correlate::StoredEvent>& input);
  // Phones dropping in the context whose attachment (CDP/LLDP topology, reported on change
  // only) is older than the context: their latest topology event before it is added to the
  // input, so a burst on a module whose phones were learned days ago is still placed on it.
  void add_older_places(std::vector<const correlate::StoredEvent*>& input,
                        int64_t context_start_us);

  std::string db_path_;
  correlate::CorrelationSettings settings_;
  const Clock& clock_;
  std::unique_ptr<store::EventReader> reader_;
  std::unique_ptr<store::IncidentWriter> writer_;
  const std::vector<std::string> kinds_;  // the kinds correlation reads
  EventWindow window_;                    // live passes' context (run thread only)
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::optional<std::pair<int64_t, int64_t>> dirty_;
  bool stopping_ = false;
  uint64_t passes_ = 0;
  std::chrono::milliseconds last_pass_{0};  // how long the last pass took (run thread only)
  std::function<void(std::vector<store::KeyedIncident>)> incidents_handler_;
  // device -> its latest topology event (nullopt: it has none), for the phones looked up
  // (dropped without an attachment in the context), kept current by the topology events later
  // passes read; run thread only.
  std::unordered_map<std::string, std::optional<correlate::StoredEvent>> places_;
  std::thread thread_;
};

}  // namespace regwatch::collector
