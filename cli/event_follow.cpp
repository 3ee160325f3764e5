#include "cli/event_follow.h"

#include <algorithm>

namespace regwatch::cli {

regwatch::v1::EventQuery EventFollowPosition::next_query(const regwatch::v1::EventQuery& base,
                                                         uint32_t page_size) {
  regwatch::v1::EventQuery q = base;
  q.set_oldest_first(true);
  q.set_limit(page_size);
  if (!cursor_.empty()) {
    q.set_since_us(cursor_since_us_);
    q.set_cursor(cursor_);
  } else {
    q.set_since_us(std::max(floor_us_, time_us_));
    q.clear_cursor();
    asked_since_us_ = q.since_us();
  }
  return q;
}

bool EventFollowPosition::is_new(const regwatch::v1::StoredEvent& event) const {
  const int64_t at = event.event().event_time_us();
  return at > time_us_ || (at == time_us_ && !ids_at_time_.contains(event.id()));
}

void EventFollowPosition::advance(const regwatch::v1::StoredEvent& event) {
  const int64_t at = event.event().event_time_us();
  if (at > time_us_) {
    time_us_ = at;
    ids_at_time_.clear();
  }
  if (at == time_us_) ids_at_time_.insert(event.id());
}

void EventFollowPosition::page_done(const regwatch::v1::EventList& page) {
  if (page.truncated() && !page.next_cursor().empty()) {
    // The cursor continues the query that gave it: keep that query's since.
    if (cursor_.empty()) cursor_since_us_ = asked_since_us_;
    cursor_ = page.next_cursor();
  } else {
    cursor_.clear();
  }
}

}  // namespace regwatch::cli
