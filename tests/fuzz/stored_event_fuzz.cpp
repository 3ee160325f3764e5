// Arbitrary bytes as a stored event: check_stored_event must walk them without reading out of
// bounds, and judge them as the real parser does (agent/spool/stored_event.h's equivalence): it
// accepts the bytes under the seq they parse with, exactly when they parse, and never under
// another seq. The exception it states: nesting between its limit and the parser's.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/spool/stored_event.h"
#include "regwatch/v1/event.pb.h"

// NOLINTNEXTLINE(readability-identifier-naming): libFuzzer names the entry point
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::spool;
  const google::protobuf::LogSilencer quiet;  // the parser logs every string that is not UTF-8
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  regwatch::v1::Event event;
  const bool parses = event.ParseFromArray(data, static_cast<int>(size));
  const uint64_t seq = parses ? event.seq() : 1;
  const StoredEventFault fault = check_stored_event(bytes, seq);
  if (fault == StoredEventFault::kTooDeep) return 0;
  if (parses != (fault == StoredEventFault::kNone)) std::abort();
  if (parses && check_stored_event(bytes, seq + 1) != StoredEventFault::kSeqMismatch) std::abort();
  return 0;
}
