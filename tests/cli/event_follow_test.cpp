// The position of a followed event stream (cli/event_follow.h): every event once, in order.
#include "cli/event_follow.h"

#include <gtest/gtest.h>

namespace regwatch::cli {
namespace {

v1::StoredEvent stored(int64_t id, int64_t time_us) {
  v1::StoredEvent e;
  e.set_id(id);
  e.mutable_event()->set_event_time_us(time_us);
  return e;
}

TEST(EventFollowPosition, NextPollStartsAtTheNewestTimeShownAndSkipsItsIds) {
  EventFollowPosition position(0);
  v1::EventQuery base;
  base.set_origin("ucm-sub1");
  position.advance(stored(1, 100));
  position.advance(stored(2, 200));
  position.advance(stored(3, 200));
  const auto q = position.next_query(base, 500);
  EXPECT_EQ(q.since_us(), 200);
  EXPECT_TRUE(q.oldest_first());
  EXPECT_EQ(q.limit(), 500u);
  EXPECT_EQ(q.origin(), "ucm-sub1");  // the filters stay
  EXPECT_FALSE(position.is_new(stored(2, 200)));
  EXPECT_FALSE(position.is_new(stored(3, 200)));
  EXPECT_TRUE(position.is_new(stored(7, 200)));  // stored since, same event time
  EXPECT_TRUE(position.is_new(stored(8, 201)));
  EXPECT_FALSE(position.is_new(stored(9, 150)));  // before the position: the documented limit
}

TEST(EventFollowPosition, TheQuerysOwnSinceIsAFloor) {
  EventFollowPosition position(1000);
  EXPECT_EQ(position.next_query({}, 10).since_us(), 1000);
  position.advance(stored(1, 5000));
  EXPECT_EQ(position.next_query({}, 10).since_us(), 5000);
}

TEST(EventFollowPosition, ACutPageContinuesWithItsCursorAndTheSameSince) {
  EventFollowPosition position(0);
  position.advance(stored(1, 100));
  auto first = position.next_query({}, 2);
  EXPECT_EQ(first.since_us(), 100);
  v1::EventList page;
  *page.add_events() = stored(2, 300);
  *page.add_events() = stored(3, 300);
  page.set_truncated(true);
  page.set_next_cursor("opaque");
  for (const auto& e : page.events()) position.advance(e);
  position.page_done(page);
  EXPECT_TRUE(position.more_waiting());
  auto second = position.next_query({}, 2);
  EXPECT_EQ(second.cursor(), "opaque");
  EXPECT_EQ(second.since_us(), 100);  // the cursor's query's since, not the new position
  v1::EventList last;
  *last.add_events() = stored(4, 300);
  position.advance(last.events(0));
  position.page_done(last);
  EXPECT_FALSE(position.more_waiting());
  auto third = position.next_query({}, 2);
  EXPECT_TRUE(third.cursor().empty());
  EXPECT_EQ(third.since_us(), 300);
}

}  // namespace
}  // namespace regwatch::cli
