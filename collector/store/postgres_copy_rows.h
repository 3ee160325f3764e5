#pragma once
// PostgresCopyRows: rows in COPY's binary format (the PostgreSQL manual, "COPY", Binary
// Format), the input of `COPY table (columns) FROM STDIN (FORMAT binary)`
// (postgres_copy_in in postgres_database.h). Binary, so that the server parses nothing: no
// integer's text, no bytea's hex.
//
//   PostgresCopyRows rows;
//   rows.begin_row(3); rows.bytes("a"); rows.bigint(7); rows.null();
//   postgres_copy_in(db, "COPY t (x, y, z) FROM STDIN (FORMAT binary)", rows.finish());
//
// The format: a signature and two zero words; per row its count of fields and each field as a
// big-endian length (-1 for NULL) and its bytes in the column type's binary form (text, citext
// and bytea as they are; bigint 8 bytes big-endian); then a trailer. Each field must match its
// column's type: the server checks lengths and refuses the COPY otherwise.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace regwatch::collector::store {

class PostgresCopyRows {
 public:
  PostgresCopyRows() { clear(); }

  // Back to no rows (the buffer's memory stays, for the next batch).
  void clear();
  void begin_row(uint16_t fields);
  // A text, varchar, citext or bytea field.
  void bytes(std::string_view value);
  void bigint(int64_t value);
  void null();
  // The whole input, trailer included; valid until the next call on this object. Rows after
  // it need a clear() first.
  std::string_view finish();
  size_t rows() const { return rows_; }

 private:
  void big_endian(uint64_t value, int bytes);

  std::string buffer_;
  size_t rows_ = 0;
  bool finished_ = false;
};

}  // namespace regwatch::collector::store
