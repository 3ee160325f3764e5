#pragma once
// The spool's on-disk record, little-endian:
//   [u32 payload length][u32 crc32c of (seq, payload)][u64 seq][payload: serialised v1::Event]
// decode_record is pure and bounds-checked: it tells a complete record from a
// torn tail (kNeedMore) and from damage (kCorrupt), for any input bytes.
//
// A record has no magic marker, so after damage find_next_record resynchronises
// by trying each following byte offset; scan_segment walks a whole segment
// file that way, keeping every good record around damaged regions. Both are
// pure too (bytes in, offsets out): recovery does the I/O.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// After damage at the start of `bytes`: the offset, from 1 on, of the first
// valid record (length, CRC) whose seq is after `after_seq` and could follow it,
// given that each record skipped takes at least kRecordHeaderBytes. nullopt if
// there is none. Bounded: one pass over the bytes, and a CRC is computed only
// where the header's length and seq are plausible, so random damage costs
// little and is very unlikely to be taken for a record.
std::optional<size_t> find_next_record(std::string_view bytes, uint64_t after_seq);

// A stretch of a segment that holds no good record.
struct DamagedRange {
  size_t offset = 0;
  size_t size = 0;
  uint64_t after_seq = 0;  // the last good seq before it (first_seq - 1 if none)
  uint64_t next_seq = 0;   // the seq of the good record after it; 0 = it runs to the end
  // It runs to the end and starts with an incomplete record (what a kill or a
  // power loss in the middle of a write leaves), not with damage.
  bool torn_tail = false;
  // It runs to the end and the unreadable record's header names after_seq + 1
  // (the only seq it could have had): that seq was assigned. 0 otherwise.
  uint64_t tail_seq = 0;
};

struct SegmentScan {
  std::vector<std::pair<size_t, size_t>> good;  // (offset, size) runs of good records, in order
  uint64_t count = 0;
  uint64_t last_seq = 0;  // of the last good record; 0 = none
  size_t good_bytes = 0;
  std::vector<DamagedRange> damaged;
};
// Walks a segment file named after `first_seq`. A record is good if it decodes
// and its seq is above the previous good one.
SegmentScan scan_segment(std::string_view bytes, uint64_t first_seq);

}  // namespace regwatch::agent::spool
