#include "agent/spool/spool_record.h"

#include "agent/spool/crc32c.h"

namespace regwatch::agent::spool {
namespace {

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_le(std::string_view bytes, size_t offset, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[offset + static_cast<size_t>(i)]);
  }
  return v;
}
uint32_t record_crc(uint64_t seq, std::string_view payload) {
  unsigned char seq_bytes[8];
  for (int i = 0; i < 8; ++i) seq_bytes[i] = static_cast<unsigned char>((seq >> (8 * i)) & 0xff);
  return crc32c(payload.data(), payload.size(), crc32c(seq_bytes, sizeof seq_bytes));
}

}  // namespace

void encode_record(uint64_t seq, std::string_view payload, std::string& out) {
  put_u32(out, static_cast<uint32_t>(payload.size()));
  put_u32(out, record_crc(seq, payload));
  put_u64(out, seq);
  out.append(payload);
}

DecodedRecord decode_record(std::string_view bytes) {
  DecodedRecord record;
  if (bytes.size() < kRecordHeaderBytes) return record;  // kNeedMore
  const auto length = static_cast<size_t>(get_le(bytes, 0, 4));
  if (length > kMaxRecordPayloadBytes) {
    record.status = DecodeStatus::kCorrupt;
    return record;
  }
  if (bytes.size() < kRecordHeaderBytes + length) return record;  // torn tail
  const auto crc = static_cast<uint32_t>(get_le(bytes, 4, 4));
  record.seq = get_le(bytes, 8, 8);
  record.payload = bytes.substr(kRecordHeaderBytes, length);
  if (record.seq == 0 || crc != record_crc(record.seq, record.payload)) {
    record.status = DecodeStatus::kCorrupt;
    return record;
  }
  record.status = DecodeStatus::kOk;
  record.size = kRecordHeaderBytes + length;
  return record;
}

std::optional<size_t> find_next_record(std::string_view bytes, uint64_t after_seq) {
  for (size_t offset = 1; offset + kRecordHeaderBytes <= bytes.size(); ++offset) {
    if (get_le(bytes, offset, 4) > kMaxRecordPayloadBytes) continue;
    const uint64_t seq = get_le(bytes, offset + 8, 8);
    // The records between the last good one and this one each took at least a header's worth
    // of the bytes skipped; a seq further ahead than that is damage, not a record.
    if (seq <= after_seq || seq - after_seq - 1 > offset / kRecordHeaderBytes) continue;
    if (decode_record(bytes.substr(offset)).status == DecodeStatus::kOk) return offset;
  }
  return std::nullopt;
}

SegmentScan scan_segment(std::string_view bytes, uint64_t first_seq) {
  SegmentScan scan;
  uint64_t last_good = first_seq > 0 ? first_seq - 1 : 0;
  size_t offset = 0;
  while (offset < bytes.size()) {
    const std::string_view rest = bytes.substr(offset);
    const auto record = decode_record(rest);
    if (record.status == DecodeStatus::kOk && record.seq > last_good) {
      if (!scan.good.empty() && scan.good.back().first + scan.good.back().second == offset) {
        scan.good.back().second += record.size;
      } else {
        scan.good.emplace_back(offset, record.size);
      }
      ++scan.count;
      scan.good_bytes += record.size;
      scan.last_seq = last_good = record.seq;
      offset += record.size;
      continue;
    }
    DamagedRange damaged{offset, rest.size(), last_good, 0, false, 0};
    if (const auto next = find_next_record(rest, last_good)) {
      damaged.size = *next;
      damaged.next_seq = decode_record(rest.substr(*next)).seq;
    } else {
      damaged.torn_tail = record.status == DecodeStatus::kNeedMore;
      if (rest.size() >= kRecordHeaderBytes && get_le(rest, 8, 8) == last_good + 1) {
        damaged.tail_seq = last_good + 1;
      }
    }
    scan.damaged.push_back(damaged);
    offset += damaged.size;
  }
  return scan;
}

}  // namespace regwatch::agent::spool
