#include "agent/syslog/stream_framer.h"

#include <algorithm>

namespace regwatch::agent::syslog {
namespace {

// An LF-framed frame may hold one byte more than kMaxFrameBytes while that byte
// is a CR whose LF has not arrived yet: "<64 KiB>\r\n" is a whole frame.
constexpr size_t kLineBufferCap = kMaxFrameBytes + 1;

bool is_terminator(char c) {
  return c == '\n' || c == '\0';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

size_t find_terminator(std::string_view bytes) {
  auto it = std::find_if(bytes.begin(), bytes.end(), is_terminator);
  return it == bytes.end() ? std::string_view::npos : static_cast<size_t>(it - bytes.begin());
}

}  // namespace

std::string_view strip_line_terminators(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == '\0')) {
    line.remove_suffix(1);
  }
  return line;
}

void StreamFramer::feed(std::string_view bytes, const FrameSink& emit) {
  counters_.bytes += bytes.size();
  while (!bytes.empty()) {
    size_t used = 0;
    switch (state_) {
      case State::kFrameStart: used = on_frame_start(bytes); break;
      case State::kOctetCount: used = on_octet_count(bytes); break;
      case State::kOctetBody: used = on_octet_body(bytes, emit); break;
      case State::kLineBody: used = on_line_body(bytes, emit); break;
      case State::kOctetSkip:
      case State::kSkipToTerminator: used = on_skip(bytes); break;
    }
    bytes.remove_prefix(used);
  }
}

void StreamFramer::finish(const FrameSink& emit) {
  switch (state_) {
    case State::kOctetCount:  // only digits arrived: they are all there is to keep
    case State::kLineBody: {
      std::string_view partial = strip_line_terminators(buffer_);
      if (!partial.empty()) {
        emit_frame(partial.substr(0, kMaxFrameBytes), /*octet=*/false, /*truncated=*/true, emit);
      }
      break;
    }
    case State::kOctetBody:
      if (!buffer_.empty()) emit_frame(buffer_, /*octet=*/true, /*truncated=*/true, emit);
      break;
    case State::kFrameStart:
    case State::kOctetSkip:
    case State::kSkipToTerminator: break;
  }
  buffer_.clear();
  remaining_ = 0;
  stated_ = 0;
  state_ = State::kFrameStart;
}

// Skips terminators between frames, then picks the framing of the next one.
size_t StreamFramer::on_frame_start(std::string_view bytes) {
  size_t i = 0;
  while (i < bytes.size() && is_terminator(bytes[i])) ++i;
  if (i < bytes.size()) state_ = is_digit(bytes[i]) ? State::kOctetCount : State::kLineBody;
  return i;
}

size_t StreamFramer::on_octet_count(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (is_digit(c)) {
      if (buffer_.size() == kMaxOctetCountDigits) {
        ++counters_.bad_length;
        buffer_.clear();
        state_ = State::kSkipToTerminator;
        return i;
      }
      buffer_.push_back(c);
      continue;
    }
    if (c != ' ') {
      // Digits not followed by a space start an LF-framed message; keep them.
      state_ = State::kLineBody;
      return i;
    }
    size_t count = 0;
    for (char digit : buffer_) count = count * 10 + static_cast<size_t>(digit - '0');
    buffer_.clear();
    if (count == 0 || count > kMaxStatedOctets) {
      ++counters_.bad_length;
      state_ = State::kSkipToTerminator;
    } else {
      stated_ = remaining_ = count;
      state_ = State::kOctetBody;
    }
    return i + 1;
  }
  return bytes.size();
}

// Invariant: buffer_ holds the first stated_ - remaining_ bytes of the frame
// (never more than kMaxFrameBytes), so an empty buffer means a fresh frame.
size_t StreamFramer::on_octet_body(std::string_view bytes, const FrameSink& emit) {
  const size_t deliverable = std::min(stated_, kMaxFrameBytes);
  const bool truncated = stated_ > kMaxFrameBytes;
  if (buffer_.empty() && bytes.size() >= deliverable) {
    // The whole deliverable part is in this chunk: emit it without copying.
    std::string_view frame = bytes.substr(0, deliverable);
    emit_frame(truncated ? frame : strip_line_terminators(frame), true, truncated, emit);
    remaining_ -= deliverable;
    state_ = remaining_ > 0 ? State::kOctetSkip : State::kFrameStart;
    return deliverable;
  }
  const size_t take = std::min({remaining_, bytes.size(), deliverable - buffer_.size()});
  buffer_.append(bytes.data(), take);
  remaining_ -= take;
  if (buffer_.size() == deliverable) {
    emit_frame(truncated ? std::string_view(buffer_) : strip_line_terminators(buffer_), true,
               truncated, emit);
    buffer_.clear();
    state_ = remaining_ > 0 ? State::kOctetSkip : State::kFrameStart;
  }
  return take;
}

size_t StreamFramer::on_line_body(std::string_view bytes, const FrameSink& emit) {
  const size_t end = find_terminator(bytes);
  const std::string_view segment = bytes.substr(0, std::min(end, bytes.size()));
  if (end == std::string_view::npos) {
    if (buffer_.size() + segment.size() <= kLineBufferCap) {
      buffer_.append(segment);
      return bytes.size();
    }
    // Past the limit with no terminator in sight: deliver the head, skip the rest.
    buffer_.append(segment.substr(0, kLineBufferCap - buffer_.size()));
    emit_frame(std::string_view(buffer_).substr(0, kMaxFrameBytes), false, true, emit);
    buffer_.clear();
    state_ = State::kSkipToTerminator;
    return bytes.size();
  }
  const size_t total = buffer_.size() + segment.size();
  const char last = !segment.empty() ? segment.back() : (buffer_.empty() ? '\0' : buffer_.back());
  const size_t content = (last == '\r') ? total - 1 : total;
  std::string_view frame = segment;
  if (!buffer_.empty()) {
    buffer_.append(segment.substr(0, std::min(segment.size(), kLineBufferCap - buffer_.size())));
    frame = buffer_;
  }
  if (content <= kMaxFrameBytes) {
    emit_frame(strip_line_terminators(frame.substr(0, content)), false, false, emit);
  } else {
    emit_frame(frame.substr(0, kMaxFrameBytes), false, true, emit);
  }
  buffer_.clear();
  state_ = State::kFrameStart;
  return end + 1;
}

size_t StreamFramer::on_skip(std::string_view bytes) {
  if (state_ == State::kOctetSkip) {
    const size_t take = std::min(remaining_, bytes.size());
    remaining_ -= take;
    if (remaining_ == 0) state_ = State::kFrameStart;
    return take;
  }
  const size_t end = find_terminator(bytes);
  if (end == std::string_view::npos) return bytes.size();
  state_ = State::kFrameStart;
  return end + 1;
}

void StreamFramer::emit_frame(std::string_view frame, bool octet, bool truncated,
                              const FrameSink& emit) {
  if (frame.empty()) return;  // "\r\n" or "1 \n": nothing a parser could use
  ++counters_.frames;
  ++(octet ? counters_.octet_counted : counters_.lf_framed);
  if (truncated) ++counters_.truncated;
  emit(frame, truncated);
}

}  // namespace regwatch::agent::syslog
