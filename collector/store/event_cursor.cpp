#include "collector/store/event_cursor.h"

#include <charconv>

namespace regwatch::collector::store {
namespace {

constexpr std::string_view kVersion = "e1";

// The whole of text as a decimal int64 (a leading '-' allowed, nothing else around it).
std::optional<int64_t> whole_number(std::string_view text) {
  int64_t value = 0;
  if (text.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string encode_cursor(const EventCursor& cursor) {
  return std::string(kVersion) + (cursor.oldest_first ? 'o' : 'n') +
         std::to_string(cursor.event_time_us) + "_" + std::to_string(cursor.id);
}

std::optional<EventCursor> decode_cursor(std::string_view text) {
  if (!text.starts_with(kVersion)) return std::nullopt;
  text.remove_prefix(kVersion.size());
  if (text.empty() || (text.front() != 'n' && text.front() != 'o')) return std::nullopt;
  EventCursor cursor;
  cursor.oldest_first = text.front() == 'o';
  text.remove_prefix(1);
  const size_t separator = text.find('_');
  if (separator == std::string_view::npos) return std::nullopt;
  const auto time = whole_number(text.substr(0, separator));
  const auto id = whole_number(text.substr(separator + 1));
  if (!time || !id || *id <= 0) return std::nullopt;
  cursor.event_time_us = *time;
  cursor.id = *id;
  return cursor;
}

}  // namespace regwatch::collector::store
