#pragma once
// The same phone drop often reaches one agent twice: CUCM's syslog says
// EndPointUnregistered and, seconds later, the CISCO-CCM-MIB status table
// read by the poller says the same. Both are kept (each is evidence), but the
// later one is marked with the source and event time of the first
// (Event.duplicate_of_*) so that counting sees one drop.
//
// Same drop = same device name, same kind (phone_unregistered or
// phone_registration_failed), a different input, event times within the
// window. Two reports from the same input are two drops (a flapping phone).
//
// Memory is bounded: entries older than two windows behind the newest event
// time are forgotten, and at most max_entries are kept.
//
// Threads: mark() is safe to call from several threads.
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "regwatch/v1/event.pb.h"

namespace regwatch::agent {

class DuplicateDropMarker {
 public:
  explicit DuplicateDropMarker(int64_t window_us = 120'000'000, size_t max_entries = 200'000)
      : window_us_(window_us), max_entries_(max_entries) {}

  // Returns true when the event was marked as a duplicate.
  bool mark(regwatch::v1::Event& event);

 private:
  struct Report {
    int64_t time_us;
    regwatch::v1::Source source;
  };
  void forget_old_locked();

  int64_t window_us_;
  size_t max_entries_;
  std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::deque<Report>> recent_;
  std::multimap<int64_t, std::pair<std::string, int>> by_time_;  // for forgetting
  int64_t newest_us_ = 0;
};

}  // namespace regwatch::agent
