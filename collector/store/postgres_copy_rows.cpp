#include "collector/store/postgres_copy_rows.h"

namespace regwatch::collector::store {
namespace {

// The signature, NUL included: "PGCOPY\n\377\r\n\0".
constexpr char kSignature[] = "PGCOPY\n\377\r\n";
constexpr uint32_t kNullLength = 0xffffffffu;  // -1
constexpr uint16_t kTrailer = 0xffff;          // -1 as a field count

}  // namespace

void PostgresCopyRows::big_endian(uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
    buffer_ += static_cast<char>((value >> shift) & 0xff);
}

void PostgresCopyRows::clear() {
  buffer_.assign(kSignature, sizeof kSignature);
  big_endian(0, 4);  // flags: no OIDs
  big_endian(0, 4);  // no header extension
  rows_ = 0;
  finished_ = false;
}

void PostgresCopyRows::begin_row(uint16_t fields) {
  big_endian(fields, 2);
  ++rows_;
}

void PostgresCopyRows::bytes(std::string_view value) {
  big_endian(value.size(), 4);
  buffer_ += value;
}

void PostgresCopyRows::bigint(int64_t value) {
  big_endian(8, 4);
  big_endian(static_cast<uint64_t>(value), 8);
}

void PostgresCopyRows::null() {
  big_endian(kNullLength, 4);
}

std::string_view PostgresCopyRows::finish() {
  if (!finished_) big_endian(kTrailer, 2);
  finished_ = true;
  return buffer_;
}

}  // namespace regwatch::collector::store
