#include "agent/sip/sip_framer.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "agent/sip/sip_message.h"
#include "agent/sip/sip_text.h"

namespace regwatch::agent::sip {
namespace {

// A method name longer than this is not one (the longest in use, SUBSCRIBE/UNSUBSCRIBE, is 11).
constexpr size_t kMaxMethodLength = 32;
constexpr std::string_view kStatusStart = "SIP/2.0 ";

// Whether text (shorter) is how prefix (case-insensitive) begins.
bool iprefix_of(std::string_view text, std::string_view prefix) {
  return text.size() <= prefix.size() && iequals(text, prefix.substr(0, text.size()));
}

enum class Start { kYes, kNo, kMore };

// Whether a message starts at the beginning of text: "SIP/2.0 " or "<METHOD> sip:" / "sips:";
// kMore when text is too short to tell.
Start message_start(std::string_view text) {
  if (text.size() < kStatusStart.size() && kStatusStart.starts_with(text)) return Start::kMore;
  if (text.starts_with(kStatusStart)) return Start::kYes;
  size_t i = 0;
  while (i < text.size() && i < kMaxMethodLength && is_token_char(text[i])) ++i;
  if (i == text.size()) return i < kMaxMethodLength ? Start::kMore : Start::kNo;
  if (i == 0 || text[i] != ' ') return Start::kNo;
  const std::string_view uri = text.substr(i + 1);
  for (const std::string_view scheme : {std::string_view("sip:"), std::string_view("sips:")}) {
    if (uri.size() < scheme.size() && iprefix_of(uri, scheme)) return Start::kMore;
    if (uri.size() >= scheme.size() && iequals(uri.substr(0, scheme.size()), scheme)) {
      return Start::kYes;
    }
  }
  return Start::kNo;
}

// The head's Content-Length (long or compact "l" form); nullopt when absent, unreadable or
// given twice with different values.
std::optional<size_t> content_length(std::string_view head) {
  std::optional<size_t> length;
  size_t pos = head.find('\n');  // past the start line
  while (pos != std::string_view::npos && pos + 1 < head.size()) {
    const size_t end = head.find('\n', pos + 1);
    const std::string_view line =
        head.substr(pos + 1, end == std::string_view::npos ? end : end - pos - 1);
    pos = end;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = trim(line.substr(0, colon));
    if (!iequals(name, "Content-Length") && !iequals(name, "l")) continue;
    const std::string_view value = trim(line.substr(colon + 1));
    size_t n = 0;
    const auto [at, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (value.empty() || ec != std::errc() || at != value.data() + value.size())
      return std::nullopt;
    if (length && *length != n) return std::nullopt;
    length = n;
  }
  return length;
}

}  // namespace

// Cuts messages from data (the held bytes and the new ones, or the new ones alone) and returns
// how many bytes were used up; the rest is a partial message (or a partial start line while
// resynchronising) to hold.
size_t SipFramer::cut(std::span<const uint8_t> data,
                      FunctionRef<void(std::span<const uint8_t>)> on_message,
                      SipFramerCounters& counters) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  size_t pos = 0;
  // Out of sync, from pos: to the next line that starts a message, or all but a tail that may.
  const auto resync = [&]() -> bool {
    size_t candidate = at_line_start_ ? pos : text.find('\n', pos);
    if (!at_line_start_ && candidate != std::string_view::npos) ++candidate;
    while (candidate != std::string_view::npos && candidate <= text.size()) {
      const Start start = message_start(text.substr(candidate));
      if (start == Start::kYes) {
        counters.skipped_bytes += candidate - pos;
        pos = candidate;
        in_sync_ = true;
        ++counters.resyncs;
        return true;
      }
      if (start == Start::kMore && candidate < text.size()) {
        counters.skipped_bytes += candidate - pos;
        pos = candidate;  // hold this tail: the next bytes tell
        at_line_start_ = true;
        return false;
      }
      candidate = text.find('\n', candidate);
      if (candidate != std::string_view::npos) ++candidate;
    }
    counters.skipped_bytes += text.size() - pos;
    at_line_start_ = !text.empty() && text.back() == '\n';
    pos = text.size();
    return false;
  };
  // The message at pos cannot be framed: skip its start line and look for the next one.
  const auto drop_message = [&]() {
    const size_t line_end = text.find('\n', pos);
    const size_t skip = line_end == std::string_view::npos ? text.size() : line_end + 1;
    counters.skipped_bytes += skip - pos;
    pos = skip;
    in_sync_ = false;
    at_line_start_ = line_end != std::string_view::npos;
  };

  while (pos < text.size()) {
    if (!in_sync_ && !resync()) break;
    // CRLF keep-alives between messages: a "\r\n\r\n" ping or a "\r\n" pong is one each.
    if (text[pos] == '\r' || text[pos] == '\n') {
      const std::string_view rest = text.substr(pos);
      if (rest.starts_with("\r\n\r\n")) {
        pos += 4;
      } else if (rest == "\r" || rest == "\r\n\r") {
        break;  // the rest of the keep-alive is still to come
      } else if (rest.starts_with("\r\n")) {
        pos += 2;
      } else if (rest.front() == '\n') {
        pos += 1;
      } else {
        in_sync_ = false;  // a lone CR: not SIP
        at_line_start_ = false;
        continue;
      }
      ++counters.keepalives;
      continue;
    }
    const std::string_view rest = text.substr(pos);
    const Start start = message_start(rest);
    if (start == Start::kMore) break;
    if (start == Start::kNo) {
      in_sync_ = false;  // not a message where one must start: look for the next
      at_line_start_ = true;
      continue;
    }
    const size_t head_end = find_head_end(rest, kMaxSipHead);
    if (head_end == std::string_view::npos) {
      if (rest.size() < kMaxSipHead) break;  // the head is still coming
      ++counters.oversized;
      drop_message();
      continue;
    }
    const std::optional<size_t> body = content_length(rest.substr(0, head_end));
    if (!body) {
      ++counters.bad_lengths;
      drop_message();
      continue;
    }
    if (*body > kMaxSipMessage - head_end) {
      ++counters.oversized;
      drop_message();
      continue;
    }
    const size_t total = head_end + *body;
    if (rest.size() < total) {  // the body is still coming
      complete_at_ = total;
      break;
    }
    ++counters.messages;
    on_message(data.subspan(pos, total));
    pos += total;
  }
  return pos;
}

void SipFramer::feed(std::span<const uint8_t> bytes,
                     FunctionRef<void(std::span<const uint8_t> message)> on_message,
                     SipFramerCounters& counters) {
  if (bytes.empty()) return;
  if (!held_.empty() && held_.size() + bytes.size() < complete_at_) {
    held_.insert(held_.end(), bytes.begin(), bytes.end());
    return;
  }
  complete_at_ = 0;  // cut() sets it again when it stops inside a body
  if (held_.empty()) {
    // The common case: whole messages in the segment, cut in place without a copy.
    const size_t used = cut(bytes, on_message, counters);
    held_.assign(bytes.begin() + static_cast<std::ptrdiff_t>(used), bytes.end());
    return;
  }
  held_.insert(held_.end(), bytes.begin(), bytes.end());
  // on_message must not see held_ change under it: cut reads a span of held_ and held_ is only
  // changed after it returns.
  const size_t used = cut(held_, on_message, counters);
  held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(used));
}

void SipFramer::lost_sync() {
  held_.clear();
  complete_at_ = 0;
  in_sync_ = false;
  at_line_start_ = true;  // the bytes after the hole may begin a message
}

void SipFramer::reset() {
  held_.clear();
  complete_at_ = 0;
  in_sync_ = true;
  at_line_start_ = true;
}

}  // namespace regwatch::agent::sip
