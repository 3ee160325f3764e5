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

}  // namespace regwatch::agent::spool
