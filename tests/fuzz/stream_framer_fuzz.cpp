// Arbitrary bytes as a syslog TCP stream. The framer must never read out of
// bounds, never emit an empty or oversized frame, keep its counters consistent,
// and emit exactly the same frames however the stream is split into reads
// (TCP gives no guarantee where a recv() ends).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/syslog/stream_framer.h"

namespace {

using regwatch::agent::syslog::FramerCounters;
using regwatch::agent::syslog::kMaxFrameBytes;
using regwatch::agent::syslog::StreamFramer;

using Frames = std::vector<std::pair<std::string, bool>>;

// Feeds `input` in chunks whose sizes come from `chunk_size(i)`, then finishes.
template <typename ChunkSize>
Frames frame(std::string_view input, ChunkSize chunk_size, FramerCounters& counters) {
  StreamFramer framer;
  Frames frames;
  auto emit = [&](std::string_view text, bool truncated) {
    if (text.empty() || text.size() > kMaxFrameBytes) std::abort();
    frames.emplace_back(std::string(text), truncated);
  };
  for (size_t i = 0; !input.empty(); ++i) {
    const size_t size = std::min(input.size(), chunk_size(i));
    framer.feed(input.substr(0, size), emit);
    input.remove_prefix(size);
  }
  framer.finish(emit);
  counters = framer.counters();
  return frames;
}

void check(const Frames& frames, const FramerCounters& counters, size_t input_size) {
  size_t truncated = 0;
  for (const auto& f : frames) truncated += f.second ? 1 : 0;
  if (counters.frames != frames.size() || counters.truncated != truncated ||
      counters.octet_counted + counters.lf_framed != counters.frames ||
      counters.bytes != input_size) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FramerCounters whole_counters;
  const Frames whole = frame(
      input, [&](size_t) { return input.size(); }, whole_counters);
  check(whole, whole_counters, size);

  // Chunk sizes drawn from the input itself: deterministic, and varied.
  FramerCounters split_counters;
  const Frames split = frame(
      input, [&](size_t i) { return size_t{1} + data[i % size] % 61; }, split_counters);
  check(split, split_counters, size);
  if (split != whole || split_counters.bad_length != whole_counters.bad_length) std::abort();
  return 0;
}
