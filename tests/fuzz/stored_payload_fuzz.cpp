// Arbitrary bytes as a row's payload column (a damaged database, a row from an unknown
// collector): decode_stored_payload must refuse or parse them, never read out of bounds or
// allocate past kMaxStoredEventBytes; what it parses must store and read back the same.
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collector/store/stored_payload.h"
#include "regwatch/v1/event.pb.h"

// NOLINTNEXTLINE(readability-identifier-naming): libFuzzer names the entry point
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::collector::store;
  const google::protobuf::LogSilencer quiet;  // the parser logs every string that is not UTF-8
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  regwatch::v1::Event event;
  if (!decode_stored_payload(bytes, event)) return 0;
  std::string stored;
  encode_stored_payload(event, stored);
  regwatch::v1::Event again;
  if (!decode_stored_payload(stored, again)) std::abort();
  if (again.SerializeAsString() != event.SerializeAsString()) std::abort();
  return 0;
}
