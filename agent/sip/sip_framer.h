#pragma once
// Cuts one direction of a SIP-over-TCP stream (in order, from capture::TcpReassembler) into
// whole messages (RFC 3261 section 18.3): a head up to the blank line, then Content-Length bytes
// of body. Several messages in one segment and one message across segments both work. CRLF
// keep-alives between messages (RFC 5626: "\r\n\r\n" pings, "\r\n" pongs) are skipped and
// counted. Holds at most one partial message per direction, bounded by kMaxSipMessage.
//
// A head with no (or a bad) Content-Length on a stream is a framing error (RFC 3261 makes it
// mandatory over TCP): counted in bad_lengths, and the framer resynchronises at the next line
// that starts a SIP request or status line ("SIP/2.0 " or "<METHOD> sip:"), counting the bytes
// skipped. So does a message over kMaxSipMessage (oversized). After lost_sync() (a hole in the
// stream) it also resynchronises that way. Never throws.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "common/function_ref.h"

namespace regwatch::agent::sip {

inline constexpr size_t kMaxSipMessage = 64 * 1024;

struct SipFramerCounters {
  uint64_t messages = 0;
  uint64_t keepalives = 0;   // CRLF pings and pongs skipped
  uint64_t bad_lengths = 0;  // no or unreadable Content-Length
  uint64_t oversized = 0;    // a message over kMaxSipMessage
  uint64_t resyncs = 0;
  uint64_t skipped_bytes = 0;
};

class SipFramer {
 public:
  // Calls on_message with each whole message (head and body) as it completes; the span is
  // valid during the call only.
  void feed(std::span<const uint8_t> bytes,
            FunctionRef<void(std::span<const uint8_t> message)> on_message,
            SipFramerCounters& counters);
  // The stream has a hole: what is held is dropped and the next message start is looked for.
  void lost_sync();
  void reset();
  // Holds nothing (no partial message) and is in sync.
  bool idle() const { return held_.empty() && in_sync_; }
  size_t held_bytes() const { return held_.size(); }

 private:
  size_t cut(std::span<const uint8_t> data, FunctionRef<void(std::span<const uint8_t>)> on_message,
             SipFramerCounters& counters);

  std::vector<uint8_t> held_;
  bool in_sync_ = true;
  // While out of sync: whether the next byte fed begins a line (a message can start there).
  bool at_line_start_ = true;
  // held_ starts a message whose head and Content-Length are read: nothing can be cut before
  // it holds this many bytes, so a body that trickles in is not parsed again per segment (a
  // 64 KiB body in 1-byte segments would re-read its head 65,536 times). 0 when unknown.
  size_t complete_at_ = 0;
};

}  // namespace regwatch::agent::sip
