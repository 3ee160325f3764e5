#pragma once
// The spool's on-disk record, little-endian:
//   [u32 payload length][u32 crc32c of (seq, payload)][u64 seq][payload: serialised v1::Event]
// decode_record is pure and bounds-checked: it tells a complete record from a
// torn tail (kNeedMore) and from damage (kCorrupt), for any input bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace regwatch::agent::spool {

inline constexpr size_t kRecordHeaderBytes = 16;
inline constexpr size_t kMaxRecordPayloadBytes = 1 << 20;  // an event bigger than this is refused

void encode_record(uint64_t seq, std::string_view payload, std::string& out);

enum class DecodeStatus { kOk, kNeedMore, kCorrupt };
struct DecodedRecord {
  DecodeStatus status = DecodeStatus::kNeedMore;
  uint64_t seq = 0;
  std::string_view payload;
  size_t size = 0;  // bytes the record occupies (kOk only)
};
DecodedRecord decode_record(std::string_view bytes);

}  // namespace regwatch::agent::spool
