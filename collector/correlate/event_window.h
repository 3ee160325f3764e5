#pragma once
// The correlation runner's memory of recent events: every stored event of the correlated kinds
// with event time at or after a start, kept between passes and brought up to date by reading
// only the rows committed since the last pass. A live pass then costs the new rows plus
// correlate(), instead of reading and decoding hours of context from SQLite each time (about a
// quarter of a second at 100,000 phones).
//
// Contract: after refresh(), events_in(from, to) holds exactly what
// EventSource::scan_events(from, to, kinds) would return, for any from >= start(), as long as
// the store only appends (retention deletes events far older than any window).
//
// Memory: at most max_events events, each without its raw line and syslog fields (which
// correlation never reads). Not thread-safe: the runner's thread only.
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "collector/correlate/correlator.h"
#include "collector/store/event_source.h"
#include "common/result.h"

namespace regwatch::collector {

class EventWindow {
 public:
  EventWindow(std::vector<std::string> kinds, size_t max_events);

  // Makes the window hold every event from from_us on, as of the store's newest row: reads
  // only the rows committed since the last call when the window already starts at or before
  // from_us, else (re)loads from a little before from_us. Returns false when the window cannot
  // serve (more than max_events to hold, or a read failed: then it is empty and the caller
  // reads the store itself); the reason is logged.
  // on_new_row, when given, sees every new row read by a refresh (not those of a load), whether
  // or not the window keeps it.
  using RowFn = std::function<void(int64_t id, const regwatch::v1::Event& event)>;
  bool serve_from(store::EventSource& reader, int64_t from_us, const RowFn& on_new_row = {});

  // The events with event time in [from_us, to_us), in correlation's order (event time, agent,
  // seq, id; correlate() then has nothing to sort): valid until the next serve_from().
  std::vector<const correlate::StoredEvent*> events_in(int64_t from_us, int64_t to_us) const;

  size_t size() const { return events_.size(); }
  // How many times the window was (re)loaded from the store: rows loaded were not seen by
  // on_new_row.
  uint64_t loads() const { return loads_; }
  int64_t start() const { return start_us_; }

 private:
  bool load(store::EventSource& reader, int64_t from_us);
  void keep(int64_t id, regwatch::v1::Event&& event);
  // Drops the events before from_us (the window moves on with live time).
  void trim_to(int64_t from_us);
  // Brings the ordered index up to date with the events appended since it was last.
  void index_new_events();

  std::vector<std::string> kinds_;
  size_t max_events_;
  bool loaded_ = false;
  uint64_t loads_ = 0;
  int64_t start_us_ = 0;
  int64_t last_id_ = 0;  // the newest row read
  // Loaded in correlation's order, refreshes appended after (push_back keeps addresses).
  std::deque<correlate::StoredEvent> events_;
  std::vector<const correlate::StoredEvent*> ordered_;  // events_ in correlation's order
  size_t indexed_ = 0;                                  // events_[0, indexed_) are in ordered_
};

}  // namespace regwatch::collector
