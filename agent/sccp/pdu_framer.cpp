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

std::vector<uint8_t>& PduFramer::buffer() {
  if (!spill_) spill_ = std::make_unique<std::vector<uint8_t>>();
  return *spill_;
}

void PduFramer::lost_sync() {
  spill_.reset();
  in_sync_ = false;
}

bool PduFramer::find_header(FramerCounters& counters) {
  std::vector<uint8_t>& pending = buffer();
  // A candidate counts when the bytes right after its PDU are the end of what
  // we have or another plausible header: one plausible-looking header inside
  // a payload is common, two in a row by chance are rare.
  size_t at = 0;
  bool found = false;
  std::optional<size_t> undecided;  // a candidate whose PDU runs past what we have
  while (at + kHeaderSize <= pending.size()) {
    if (plausible_header(pending.data() + at)) {
      const size_t next = at + read_le32(pending.data() + at) + 8;
      if (next == pending.size() ||
          (next + kHeaderSize <= pending.size() && plausible_header(pending.data() + next))) {
        found = true;
        break;
      }
      if (next + kHeaderSize > pending.size() && !undecided) undecided = at;
    }
    ++at;
  }
  if (!found && undecided) at = *undecided;  // keep it until more bytes decide
  counters.skipped_bytes += at;
  pending.erase(pending.begin(), pending.begin() + static_cast<long>(at));
  if (!found) return false;
  in_sync_ = true;
  ++counters.resyncs;
  return true;
}

void PduFramer::feed(std::span<const uint8_t> bytes,
                     FunctionRef<void(std::span<const uint8_t>)> on_pdu, FramerCounters& counters) {
  // Fast path: nothing buffered, parse straight from the segment.
  std::span<const uint8_t> input = bytes;
  if (spill_ || !in_sync_) {
    buffer().insert(buffer().end(), bytes.begin(), bytes.end());
    input = {};
  }
  while (in_sync_ && !input.empty()) {
    auto size = sccp_pdu_size(input);
    if (!size.ok()) {
      ++counters.bad_lengths;
      buffer().assign(input.begin(), input.end());
      in_sync_ = false;
      input = {};
      break;
    }
    if (!size->has_value() || input.size() < **size) {
      buffer().assign(input.begin(), input.end());
      input = {};
      break;
    }
    ++counters.pdus;
    on_pdu(input.first(**size));
    input = input.subspan(**size);
  }
  if (!spill_ && in_sync_) return;  // every byte went out as a whole PDU
  std::vector<uint8_t>& pending = buffer();
  size_t consumed = 0;
  while (true) {
    if (!in_sync_) {
      pending.erase(pending.begin(), pending.begin() + static_cast<long>(consumed));
      consumed = 0;
      if (!find_header(counters)) return;
    }
    std::span<const uint8_t> rest(pending.data() + consumed, pending.size() - consumed);
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
  pending.erase(pending.begin(), pending.begin() + static_cast<long>(consumed));
  if (pending.empty()) spill_.reset();
}

}  // namespace regwatch::agent::sccp
