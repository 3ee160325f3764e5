// Arbitrary bytes as a spool segment: decoding must walk them without reading
// out of bounds, and every record it accepts must be internally consistent.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/spool/spool_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::spool;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    auto record = decode_record(rest);
    if (record.status != DecodeStatus::kOk) break;
    if (record.size != kRecordHeaderBytes + record.payload.size() || record.size > rest.size()) std::abort();
    rest.remove_prefix(record.size);
  }
  return 0;
}
