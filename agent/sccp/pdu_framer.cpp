#include "agent/sccp/pdu_framer.h"

#include <optional>

#include "agent/sccp/sccp_message.h"

namespace regwatch::agent::sccp {
namespace {

bool plausible_header(const uint8_t* p) {
  const uint32_t length = read_le32(p);
  return length >= 4 && length <= 2000 && known_header_version(read_le32(p + 4)) &&
         !sccp_message_name(read_le32(p + 8)).empty();
}

}  // namespace

void PduFramer::lost_sync() {
  buffer_.clear();
  in_sync_ = false;
}

bool PduFramer::find_header(FramerCounters& counters) {
  // A candidate counts when the bytes right after its PDU are the end of what
  // we have or another plausible header: one plausible-looking header inside
  // a payload is common, two in a row by chance are rare.
  size_t at = 0;
  bool found = false;
  std::optional<size_t> undecided;  // a candidate whose PDU runs past what we have
  while (at + kHeaderSize <= buffer_.size()) {
    if (plausible_header(buffer_.data() + at)) {
      const size_t next = at + read_le32(buffer_.data() + at) + 8;
      if (next == buffer_.size() ||
          (next + kHeaderSize <= buffer_.size() && plausible_header(buffer_.data() + next))) {
        found = true;
        break;
      }
      if (next + kHeaderSize > buffer_.size() && !undecided) undecided = at;
    }
    ++at;
  }
  if (!found && undecided) at = *undecided;  // keep it until more bytes decide
  counters.skipped_bytes += at;
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(at));
  if (!found) return false;
  in_sync_ = true;
  ++counters.resyncs;
  return true;
}

void PduFramer::feed(std::span<const uint8_t> bytes,
                     FunctionRef<void(std::span<const uint8_t>)> on_pdu,
                     FramerCounters& counters) {
  // Fast path: nothing buffered, parse straight from the segment.
  std::span<const uint8_t> input = bytes;
  if (!buffer_.empty() || !in_sync_) {
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    input = {};
  }
  while (in_sync_ && !input.empty()) {
    auto size = sccp_pdu_size(input);
    if (!size.ok()) {
      ++counters.bad_lengths;
      buffer_.assign(input.begin(), input.end());
      in_sync_ = false;
      input = {};
      break;
    }
    if (!size->has_value() || input.size() < **size) {
      buffer_.assign(input.begin(), input.end());
      input = {};
      break;
    }
    ++counters.pdus;
    on_pdu(input.first(**size));
    input = input.subspan(**size);
  }
  size_t consumed = 0;
  while (true) {
    if (!in_sync_) {
      buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(consumed));
      consumed = 0;
      if (!find_header(counters)) return;
    }
    std::span<const uint8_t> rest(buffer_.data() + consumed, buffer_.size() - consumed);
    auto size = sccp_pdu_size(rest);
    if (!size.ok()) {
      ++counters.bad_lengths;
      in_sync_ = false;
      ++consumed;  // skip past the bad header and look again
      continue;
    }
    if (!size->has_value() || rest.size() < **size) break;
    ++counters.pdus;
    on_pdu(rest.first(**size));
    consumed += **size;
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<long>(consumed));
}

}  // namespace regwatch::agent::sccp
