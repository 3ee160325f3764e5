#pragma once
// The cursor of an event page (EventQuery.cursor / EventList.next_cursor): where the next page
// starts, as a key of the query's own order (event time, then id). Keyset paging, not an
// offset: rows stored meanwhile cannot shift a page, so a page never repeats or skips an event
// that was there when the first page was read.
//
// Opaque to clients: "e1" (the format's version), the order ('n' newest first, 'o' oldest
// first), the event time and the id as decimal, '_' between them: "e1n1795132800000000_42". Only
// URL-safe characters, so a client can pass it back in a query string as it is.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace regwatch::collector::store {

struct EventCursor {
  bool oldest_first = false;
  int64_t event_time_us = 0;  // of the last event of the page before
  int64_t id = 0;
  bool operator==(const EventCursor&) const = default;
};

std::string encode_cursor(const EventCursor& cursor);
// nullopt when the text is not a cursor this format makes.
std::optional<EventCursor> decode_cursor(std::string_view text);

}  // namespace regwatch::collector::store
