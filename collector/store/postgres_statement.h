#pragma once
// A statement of the PostgreSQL driver (postgres_database.h): a server-side prepared statement,
// prepared at the first step with the types then bound and again only when they change, and
// deallocated when the statement goes (a long-lived connection does not collect them).
//
// Parameters: integers as int8 in text form, text untyped (the server infers its type from
// where it stands), blobs as bytea in binary form, NULL as NULL; one never bound is NULL, as in
// SQLite. The first step() after a bind or reset runs the statement and fetches the whole
// result; each step() then gives a row, and kStepDone at the end. A bind outside the statement's
// parameters makes the next step() fail (SQLITE_RANGE, "bad_parameter"), where SQLite's bind
// would fail and the caller, which does not look, would go on without it.
//
// Results: at its preparation the statement learns what it returns (a Describe). When every
// column is a bool, an integer, text, varchar or bytea, results come in binary (bytea as it is,
// no hex coding on either side: the leader reads back every payload stored); otherwise in text.
// Either way column_int reads integers and booleans (t = 1, f = 0), a numeric (a sum) and the
// integer part of a decimal; column_text gives an integer's decimal form as SQLite does;
// column_blob gives bytea's bytes (decoding the hex form "\x0a1b" of text results) and any
// other value's text as it is; NULL reads as 0 or empty.
#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/store/database.h"
#include "collector/store/postgres_connection.h"
#include "collector/store/postgres_placeholders.h"

namespace regwatch::collector::store {

class PostgresStatement : public StatementDriver {
 public:
  // connection outlives the statement (the Database owns it; statements are the Database's).
  PostgresStatement(PostgresConnection* connection, PostgresSql sql);
  ~PostgresStatement() override;
  PostgresStatement(const PostgresStatement&) = delete;
  PostgresStatement& operator=(const PostgresStatement&) = delete;

  void bind_int(int index, int64_t value) override;
  void bind_text(int index, std::string_view text) override;
  void bind_blob(int index, std::string_view bytes) override;
  void bind_null(int index) override;
  int step() override;
  void reset() override;
  int64_t column_int(int i) const override;
  std::string_view column_text(int i) const override;
  std::string_view column_blob(int i) const override;
  bool column_is_null(int i) const override;

  // The server-side name, empty until the first step prepared it (for tests and messages).
  const std::string& server_name() const { return name_; }

 private:
  enum class Kind { kNull, kInt, kText, kBlob };
  struct Parameter {
    Kind kind = Kind::kNull;
    std::string value;
  };

  void set(int index, Kind kind, std::string value);
  int execute();
  int prepare_on_server(const std::vector<Oid>& types);
  void deallocate();
  bool has_cell(int i) const;
  // The value as the server sent it (text or binary form).
  std::string_view cell(int i) const;
  // Whether column i came as a binary bool or integer.
  bool binary_integer(int i) const;

  PostgresConnection* connection_;
  PostgresSql sql_;
  std::vector<Parameter> parameters_;
  std::optional<int> bad_index_;  // the first bind outside 1..parameters since the last reset
  std::string name_;
  std::vector<Oid> prepared_types_;
  bool binary_results_ = false;  // what the prepared statement returns has a binary form we read
  PgResultPtr result_;
  bool executed_ = false;
  uint64_t generation_ = 0;  // the connection's, when name_ was prepared
  int row_ = -1;
  // Per column, a decoded bytea or an integer's text, valid until the next step or reset, as
  // the contract says.
  mutable std::vector<std::string> converted_;
};

}  // namespace regwatch::collector::store
