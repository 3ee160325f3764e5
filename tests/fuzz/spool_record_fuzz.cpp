// Arbitrary bytes as a spool segment: decoding must walk them without reading
// out of bounds, and every record it accepts must be internally consistent.
// Recovery's scan of the same bytes must account for every byte exactly once,
// as part of a good record or of a damaged range, with seqs strictly rising.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/spool/spool_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::spool;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string_view rest = bytes;
  while (!rest.empty()) {
    auto record = decode_record(rest);
    if (record.status != DecodeStatus::kOk) break;
    if (record.size != kRecordHeaderBytes + record.payload.size() || record.size > rest.size())
      std::abort();
    rest.remove_prefix(record.size);
  }

  const uint64_t first_seq = size > 0 ? data[0] : 1;
  const SegmentScan scan = scan_segment(bytes, first_seq);
  size_t covered = 0, good_bytes = 0, good_i = 0, damaged_i = 0;
  uint64_t count = 0, last_seq = first_seq > 0 ? first_seq - 1 : 0;
  while (covered < size) {
    if (good_i < scan.good.size() && scan.good[good_i].first == covered) {
      std::string_view run = bytes.substr(covered, scan.good[good_i].second);
      if (run.size() != scan.good[good_i].second || run.empty()) std::abort();
      while (!run.empty()) {
        const auto record = decode_record(run);
        if (record.status != DecodeStatus::kOk || record.seq <= last_seq) std::abort();
        last_seq = record.seq;
        ++count;
        run.remove_prefix(record.size);
      }
      covered += scan.good[good_i].second;
      good_bytes += scan.good[good_i].second;
      ++good_i;
    } else if (damaged_i < scan.damaged.size() && scan.damaged[damaged_i].offset == covered) {
      const auto& range = scan.damaged[damaged_i];
      if (range.size == 0 || range.size > size - covered || range.after_seq != last_seq)
        std::abort();
      if (range.next_seq != 0) {
        if (range.next_seq <= last_seq || range.torn_tail || range.tail_seq != 0) std::abort();
        if (!find_next_record(bytes.substr(covered), last_seq)) std::abort();
      }
      covered += range.size;
      ++damaged_i;
    } else {
      std::abort();  // a gap or an overlap
    }
  }
  if (good_i != scan.good.size() || damaged_i != scan.damaged.size()) std::abort();
  if (count != scan.count || good_bytes != scan.good_bytes) std::abort();
  if (count > 0 && last_seq != scan.last_seq) std::abort();
  return 0;
}
