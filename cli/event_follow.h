#pragma once
// Where a followed event stream (regwatch events --follow) stands, so that polling shows every
// stored event once and never one twice. The position is the newest event time shown plus the
// ids shown at exactly that time: the next poll asks from that time on (oldest first) and drops
// those ids. A page the collector cut (more than the page size) continues with its keyset
// cursor (EventQuery.cursor), which needs the same since_us as the page that gave it.
//
// Limit: an event stored later with an event time before the position (an agent's spool
// replayed after an outage, a device clock far behind) is not shown; `regwatch events --since`
// finds it afterwards. The API orders by event time, not by store time.
#include <cstdint>
#include <set>
#include <string>

#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

class EventFollowPosition {
 public:
  // `since_us`: the query's own lower bound (0: none).
  explicit EventFollowPosition(int64_t since_us) : time_us_(since_us), floor_us_(since_us) {}

  // The next poll: `base` (the filters) oldest first from the position, or the cursor's page.
  regwatch::v1::EventQuery next_query(const regwatch::v1::EventQuery& base, uint32_t page_size);
  // Whether `event` has not been shown yet.
  bool is_new(const regwatch::v1::StoredEvent& event) const;
  // Notes `event` as shown.
  void advance(const regwatch::v1::StoredEvent& event);
  // Notes the answer to next_query(): a cut page's cursor is used next, else the position.
  void page_done(const regwatch::v1::EventList& page);
  // Whether the last page was cut (poll again at once, without waiting).
  bool more_waiting() const { return !cursor_.empty(); }

 private:
  int64_t time_us_;
  int64_t floor_us_;
  std::set<int64_t> ids_at_time_;
  std::string cursor_;
  int64_t cursor_since_us_ = 0;  // the since of the query that gave the cursor
  int64_t asked_since_us_ = 0;   // the since of the latest next_query()
};

}  // namespace regwatch::cli
