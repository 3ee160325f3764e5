#pragma once
// StreamFramer: RFC 6587 framing of syslog over TCP, bytes in, whole frames out.
//
// Both framings of RFC 6587 are accepted on the same stream, decided per frame
// by its first byte:
//   - octet counting (3.4.1): "<len> <msg>", len in ASCII digits, one space,
//     then exactly len bytes; a trailing LF/CRLF/NUL inside the frame is
//     stripped because some senders count the terminator they also send;
//   - non-transparent framing (3.4.2): the frame ends at LF, or at NUL (some
//     senders' choice); a CR before the terminator is stripped.
// A frame starting with a digit is octet counted only if its digits end in a
// space; digits followed by anything else are the start of an LF-framed
// message (e.g. an IOS "344: ..." line sent without a PRI), not an error.
// Terminators between frames are skipped; empty frames are never emitted.
//
// Bounds (each has a test at the limit and one past it):
//   - a frame longer than kMaxFrameBytes is cut there and emitted flagged
//     truncated; the rest of it is skipped up to the next terminator (LF
//     framing) or by its stated count (octet counting);
//   - an octet count of more than kMaxOctetCountDigits digits, above
//     kMaxStatedOctets, or zero is a bad length: counted, and the framer
//     resynchronises at the next terminator.
// Memory: at most one partial frame (kMaxFrameBytes + 1 bytes) is kept.
//
// Pure: no I/O, clock, logging or globals. Never throws on any input.
// Threads: one StreamFramer per stream, used by one thread at a time.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace regwatch::agent::syslog {

// Longest frame delivered whole; longer ones are cut here and flagged truncated.
inline constexpr size_t kMaxFrameBytes = 64 * 1024;
// An octet count with more digits than this is a bad length (1 MiB has 7).
inline constexpr size_t kMaxOctetCountDigits = 7;
// Largest believable octet count. Frames between kMaxFrameBytes and this are
// truncated and skipped by count; a larger count is more likely garbage than a
// message, so it is a bad length and the framer resynchronises at the next LF
// instead of discarding megabytes of good frames behind it.
inline constexpr size_t kMaxStatedOctets = 1024 * 1024;

struct FramerCounters {
  uint64_t frames = 0;         // frames emitted (all modes, truncated included)
  uint64_t octet_counted = 0;  // ... of which octet counted
  uint64_t lf_framed = 0;      // ... of which terminated by LF/NUL (or cut short)
  uint64_t truncated = 0;      // frames emitted flagged truncated
  uint64_t bad_length = 0;     // unusable octet counts (resynchronised at next LF)
  uint64_t bytes = 0;          // bytes fed
};

// Called once per frame. `frame` is valid only during the call.
using FrameSink = std::function<void(std::string_view frame, bool truncated)>;

class StreamFramer {
 public:
  // Consumes all of `bytes`, emitting every frame it completes, in order.
  void feed(std::string_view bytes, const FrameSink& emit);

  // End of stream: a partial frame is emitted flagged truncated, so a peer
  // that disconnects mid-frame loses nothing silently. The framer is then
  // ready for a new stream.
  void finish(const FrameSink& emit);

  const FramerCounters& counters() const { return counters_; }

 private:
  enum class State {
    kFrameStart,        // between frames
    kOctetCount,        // reading the digits of an octet count
    kOctetBody,         // reading `remaining_` bytes of an octet-counted frame
    kOctetSkip,         // skipping `remaining_` bytes past a truncation
    kLineBody,          // reading an LF-framed frame
    kSkipToTerminator,  // skipping to the next LF/NUL (truncation or resync)
  };

  size_t on_frame_start(std::string_view bytes);
  size_t on_octet_count(std::string_view bytes);
  size_t on_octet_body(std::string_view bytes, const FrameSink& emit);
  size_t on_line_body(std::string_view bytes, const FrameSink& emit);
  size_t on_skip(std::string_view bytes);
  void emit_frame(std::string_view frame, bool octet, bool truncated, const FrameSink& emit);

  State state_ = State::kFrameStart;
  std::string buffer_;    // the partial frame (or octet-count digits)
  size_t remaining_ = 0;  // bytes still due in kOctetBody / kOctetSkip
  size_t stated_ = 0;     // the octet count of the current frame
  FramerCounters counters_;
};

// Strips trailing LF, CR and NUL bytes: what syslog senders put after a
// message, never part of it.
std::string_view strip_line_terminators(std::string_view line);

}  // namespace regwatch::agent::syslog
