// Any bytes as one direction of a SIP-over-TCP stream. The first two bytes choose the chunk
// sizes (1 to 256 bytes) in which the rest is fed to SipFramer; the same bytes are also fed
// whole. The framer must cut the same messages either way (framing cannot depend on where the
// segments were cut), each no longer than kMaxSipMessage, and hold no more than one message;
// each message then goes through parse_sip_message, which must give a message or a named
// error. A third pass calls lost_sync() at chunk ends the input picks: nothing may crash.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "agent/sip/sip_framer.h"
#include "agent/sip/sip_message.h"

namespace {

using regwatch::agent::sip::kMaxSipMessage;
using regwatch::agent::sip::SipFramer;
using regwatch::agent::sip::SipFramerCounters;

struct Cut {
  std::vector<std::string> messages;
  SipFramerCounters counters;
};

void take(Cut& cut, std::span<const uint8_t> message) {
  if (message.empty() || message.size() > kMaxSipMessage) std::abort();
  const auto parsed = regwatch::agent::sip::parse_sip_message(message);
  if (!parsed && parsed.error().code.empty()) std::abort();
  cut.messages.emplace_back(message.begin(), message.end());
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): libFuzzer names the entry point
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint32_t state = static_cast<uint32_t>(data[0]) << 8 | data[1];
  const std::span<const uint8_t> stream(data + 2, size - 2);
  const auto next_chunk = [&state]() {
    state = state * 1103515245u + 12345u;  // a fixed generator: the input decides the cuts
    return static_cast<size_t>((state >> 16) % 256) + 1;
  };

  Cut whole;
  SipFramer whole_framer;
  whole_framer.feed(
      stream, [&](std::span<const uint8_t> message) { take(whole, message); }, whole.counters);

  Cut chunked;
  SipFramer framer;
  for (size_t at = 0; at < stream.size();) {
    const size_t n = std::min(next_chunk(), stream.size() - at);
    framer.feed(
        stream.subspan(at, n), [&](std::span<const uint8_t> message) { take(chunked, message); },
        chunked.counters);
    if (framer.held_bytes() > kMaxSipMessage) std::abort();
    at += n;
  }
  if (chunked.messages != whole.messages) std::abort();
  if (chunked.counters.messages != whole.counters.messages) std::abort();
  if (framer.held_bytes() != whole_framer.held_bytes()) std::abort();

  Cut broken;
  SipFramer resyncing;
  for (size_t at = 0; at < stream.size();) {
    const size_t n = std::min(next_chunk(), stream.size() - at);
    resyncing.feed(
        stream.subspan(at, n), [&](std::span<const uint8_t> message) { take(broken, message); },
        broken.counters);
    if (state & 0x10000) resyncing.lost_sync();
    if (resyncing.held_bytes() > kMaxSipMessage) std::abort();
    at += n;
  }
  resyncing.reset();
  if (!resyncing.idle()) std::abort();
  return 0;
}
