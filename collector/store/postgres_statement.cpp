#include "collector/store/postgres_statement.h"

#include <sqlite3.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

namespace regwatch::collector::store {
namespace {

// PostgreSQL's fixed type OIDs (pg_type.dat); 0 leaves the type to the server.
constexpr Oid kUntyped = 0;
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;
constexpr Oid kTextOid = 25;
constexpr Oid kVarcharOid = 1043;

// The result types whose binary form the columns read (bool and integers big-endian, text and
// bytea as they are). A statement returning anything else (a sum's numeric, a citext) asks for
// text, whose form column_int and column_blob also read.
bool readable_in_binary(Oid type) {
  switch (type) {
    case kBoolOid:
    case kByteaOid:
    case kInt8Oid:
    case kInt2Oid:
    case kInt4Oid:
    case kTextOid:
    case kVarcharOid: return true;
    default: return false;
  }
}

// A big-endian two's complement integer of 1 to 8 bytes.
int64_t big_endian_integer(std::string_view bytes) {
  uint64_t value = 0;
  for (const char byte : bytes) value = (value << 8) | static_cast<unsigned char>(byte);
  const size_t bits = bytes.size() * 8;
  if (bits == 0 || bits >= 64) return static_cast<int64_t>(value);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  return static_cast<int64_t>((value ^ sign) - sign);  // sign-extended
}

// Each byte's value as a hex digit, or kNotHex: a table, because every payload the leader reads
// back (the correlation follows every stored event) goes through decode_bytea_hex.
constexpr uint8_t kNotHex = 0xff;
constexpr std::array<uint8_t, 256> kHexDigitValues = [] {
  std::array<uint8_t, 256> table{};
  table.fill(kNotHex);
  for (uint8_t c = 0; c < 10; ++c) table[size_t{'0'} + c] = c;
  for (uint8_t c = 0; c < 6; ++c) {
    table[size_t{'a'} + c] = static_cast<uint8_t>(10 + c);
    table[size_t{'A'} + c] = static_cast<uint8_t>(10 + c);
  }
  return table;
}();

// bytea's hex output, "\x" then two digits a byte; nothing else is bytea (the connection sets
// bytea_output = hex), so anything else is returned as it is.
bool decode_bytea_hex(std::string_view text, std::string& out) {
  if (!text.starts_with("\\x") || text.size() % 2 != 0) return false;
  out.resize((text.size() - 2) / 2);
  size_t in = 2;
  for (char& byte : out) {
    const uint8_t high = kHexDigitValues[static_cast<unsigned char>(text[in])];
    const uint8_t low = kHexDigitValues[static_cast<unsigned char>(text[in + 1])];
    if (high == kNotHex || low == kNotHex) return false;
    byte = static_cast<char>((high << 4) | low);
    in += 2;
  }
  return true;
}

int64_t parse_integer(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc() && ptr == end) return value;
  if (text == "t") return 1;
  if (text == "f") return 0;
  // A decimal or a float: its integer part, as SQLite reads a REAL as an integer.
  double real = 0;
  if (std::from_chars(text.data(), end, real).ec == std::errc() && std::isfinite(real)) {
    constexpr auto kMax = static_cast<double>(std::numeric_limits<int64_t>::max());
    constexpr auto kMin = static_cast<double>(std::numeric_limits<int64_t>::min());
    if (real >= kMax) return std::numeric_limits<int64_t>::max();
    if (real <= kMin) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(real);
  }
  return 0;
}

}  // namespace

PostgresStatement::PostgresStatement(PostgresConnection* connection, PostgresSql sql)
    : connection_(connection),
      sql_(std::move(sql)),
      parameters_(static_cast<size_t>(sql_.parameters)) {}

PostgresStatement::~PostgresStatement() {
  deallocate();
}

void PostgresStatement::deallocate() {
  if (name_.empty()) return;
  // In a failed transaction the server refuses every command but ROLLBACK: the statement then
  // stays until the connection closes, which is harmless.
  const PGTransactionStatusType transaction = PQtransactionStatus(connection_->get());
  if (connection_->connected() && (transaction == PQTRANS_IDLE || transaction == PQTRANS_INTRANS)) {
    const std::string sql = "DEALLOCATE " + name_;
    const PgResultPtr done =
        connection_->run([&](PGconn* conn) { return PQsendQuery(conn, sql.c_str()); });
  }
  name_.clear();
  prepared_types_.clear();
  binary_results_ = false;
}

void PostgresStatement::set(int index, Kind kind, std::string value) {
  if (index < 1 || index > sql_.parameters) {
    if (!bad_index_) bad_index_ = index;
    return;
  }
  parameters_[static_cast<size_t>(index - 1)] = Parameter{kind, std::move(value)};
}

void PostgresStatement::bind_int(int index, int64_t value) {
  set(index, Kind::kInt, std::to_string(value));
}
void PostgresStatement::bind_text(int index, std::string_view text) {
  set(index, Kind::kText, std::string(text));
}
void PostgresStatement::bind_blob(int index, std::string_view bytes) {
  set(index, Kind::kBlob, std::string(bytes));
}
void PostgresStatement::bind_null(int index) {
  set(index, Kind::kNull, {});
}

void PostgresStatement::reset() {
  for (Parameter& parameter : parameters_) parameter = Parameter{};
  bad_index_.reset();
  result_.reset();
  executed_ = false;
  row_ = -1;
}

int PostgresStatement::prepare_on_server(const std::vector<Oid>& types) {
  deallocate();
  std::string name = connection_->next_statement_name();
  const PgResultPtr result = connection_->run([&](PGconn* conn) {
    return PQsendPrepare(conn, name.c_str(), sql_.text.c_str(), sql_.parameters,
                         types.empty() ? nullptr : types.data());
  });
  const int rc = connection_->record(result.get());
  if (rc != 0) return rc;
  name_ = std::move(name);
  prepared_types_ = types;
  // What the statement returns decides the result format: binary spares the server and the
  // driver hex-coding every payload the leader reads back (all of them), and integers' text.
  const PgResultPtr described =
      connection_->run([&](PGconn* conn) { return PQsendDescribePrepared(conn, name_.c_str()); });
  if (const int failed = connection_->record(described.get()); failed != 0) return failed;
  binary_results_ = true;
  for (int i = 0; i < PQnfields(described.get()); ++i) {
    binary_results_ = binary_results_ && readable_in_binary(PQftype(described.get(), i));
  }
  return 0;
}

int PostgresStatement::execute() {
  if (!connection_->revive()) {
    return connection_->record_failure(SQLITE_IOERR, "unavailable",
                                       "the connection to PostgreSQL is lost");
  }
  if (generation_ != connection_->generation()) {
    // A new session: what this statement prepared went with the old one.
    name_.clear();
    prepared_types_.clear();
    generation_ = connection_->generation();
  }
  if (bad_index_) {
    return connection_->record_failure(SQLITE_RANGE, "bad_parameter",
                                       "parameter ?" + std::to_string(*bad_index_) +
                                           " is not in the statement (it has " +
                                           std::to_string(sql_.parameters) + ")");
  }
  const size_t count = parameters_.size();
  std::vector<Oid> types(count, kUntyped);
  std::vector<const char*> values(count, nullptr);
  std::vector<int> lengths(count, 0);
  std::vector<int> formats(count, 0);
  for (size_t i = 0; i < count; ++i) {
    const Parameter& parameter = parameters_[i];
    if (!sql_.used[i]) {
      // Not in the SQL (a number skipped): nothing to infer its type from, and no value needed.
      types[i] = kTextOid;
      continue;
    }
    switch (parameter.kind) {
      case Kind::kNull:
        // NULL fits whatever type the statement was prepared with: no new preparation for it.
        types[i] = name_.empty() ? kUntyped : prepared_types_[i];
        break;
      case Kind::kInt:
        types[i] = kInt8Oid;
        values[i] = parameter.value.c_str();
        break;
      case Kind::kText:
        // c_str(): an empty text is '' and not NULL.
        values[i] = parameter.value.c_str();
        break;
      case Kind::kBlob:
        types[i] = kByteaOid;
        values[i] = parameter.value.data();
        lengths[i] = static_cast<int>(parameter.value.size());
        formats[i] = 1;
        break;
    }
  }
  if (name_.empty() || types != prepared_types_) {
    if (const int rc = prepare_on_server(types); rc != 0) return rc;
  }
  result_ = connection_->run([&](PGconn* conn) {
    return PQsendQueryPrepared(conn, name_.c_str(), static_cast<int>(count), values.data(),
                               lengths.data(), formats.data(), binary_results_ ? 1 : 0);
  });
  const int rc = connection_->record(result_.get());
  if (rc != 0) {
    result_.reset();
    return rc;
  }
  executed_ = true;
  converted_.assign(static_cast<size_t>(PQnfields(result_.get())), std::string());
  return 0;
}

int PostgresStatement::step() {
  if (!executed_) {
    int rc = execute();
    // Once, on a new connection, when the server went away since the last call (libpq learns
    // it only now) and running it again cannot change anything twice.
    if (rc != 0 && connection_->may_retry_after_reconnect(sql_.text)) rc = execute();
    if (rc != 0) return rc;
  }
  if (row_ + 1 < PQntuples(result_.get())) {
    ++row_;
    return kStepRow;
  }
  row_ = PQntuples(result_.get());
  return kStepDone;
}

bool PostgresStatement::has_cell(int i) const {
  return result_ != nullptr && row_ >= 0 && row_ < PQntuples(result_.get()) && i >= 0 &&
         i < PQnfields(result_.get());
}

bool PostgresStatement::column_is_null(int i) const {
  return !has_cell(i) || PQgetisnull(result_.get(), row_, i) != 0;
}

std::string_view PostgresStatement::cell(int i) const {
  if (!has_cell(i)) return {};
  return {PQgetvalue(result_.get(), row_, i),
          static_cast<size_t>(PQgetlength(result_.get(), row_, i))};
}

bool PostgresStatement::binary_integer(int i) const {
  if (PQfformat(result_.get(), i) != 1) return false;
  const Oid type = PQftype(result_.get(), i);
  return type == kInt8Oid || type == kInt4Oid || type == kInt2Oid || type == kBoolOid;
}

std::string_view PostgresStatement::column_text(int i) const {
  if (!has_cell(i) || !binary_integer(i)) return cell(i);
  // An integer read as text, as SQLite gives it: its decimal form (a bool's 1 or 0).
  if (column_is_null(i)) return {};
  std::string& text = converted_[static_cast<size_t>(i)];
  text = std::to_string(column_int(i));
  return text;
}

int64_t PostgresStatement::column_int(int i) const {
  if (column_is_null(i)) return 0;
  if (binary_integer(i)) return big_endian_integer(cell(i));
  return parse_integer(cell(i));
}

std::string_view PostgresStatement::column_blob(int i) const {
  if (!has_cell(i) || binary_integer(i)) return column_text(i);
  const std::string_view value = cell(i);
  // Binary results give bytea as it is; text ones in hex.
  if (PQfformat(result_.get(), i) == 1 || PQftype(result_.get(), i) != kByteaOid) return value;
  std::string& buffer = converted_[static_cast<size_t>(i)];
  if (!decode_bytea_hex(value, buffer)) return value;
  return buffer;
}

}  // namespace regwatch::collector::store
