// The event page cursor: what encode_cursor() writes decode_cursor() reads back, and anything
// else is refused rather than read as some other position.
#include "collector/store/event_cursor.h"

#include <gtest/gtest.h>

namespace regwatch::collector::store {
namespace {

TEST(EventCursor, RoundTripsBothOrdersAndStaysUrlSafe) {
  const EventCursor newest{false, 1'795'132'800'000'000, 42};
  const std::string text = encode_cursor(newest);
  EXPECT_EQ(text, "e1n1795132800000000_42");
  EXPECT_EQ(decode_cursor(text), newest);
  const EventCursor oldest{true, -5, 7};  // a device clock before 1970 still pages
  EXPECT_EQ(encode_cursor(oldest), "e1o-5_7");
  EXPECT_EQ(decode_cursor(encode_cursor(oldest)), oldest);
}

TEST(EventCursor, AnythingElseIsRefused) {
  for (const char* bad :
       {"", "e1", "e1n", "e1x5_7", "e2n5_7", "e1n5", "e1n5_", "e1n_7", "e1n5_7x", "e1n5_0",
        "e1n5_-3", "e1n 5_7", "e1n99999999999999999999_1", "garbage", "E1N5_7"}) {
    EXPECT_FALSE(decode_cursor(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace regwatch::collector::store
