#pragma once
// MultiRowStatement: one INSERT of many rows, for PostgreSQL, where each statement is a round
// trip to the server (SQLite runs in-process: one row per step costs it nothing extra, so its
// stores keep their one-row statements).
//
//   MultiRowStatement insert(db->dialect(), "INSERT INTO t (a, b) VALUES", 2,
//                            "ON CONFLICT (a) DO NOTHING");
//   for (size_t n : insert.chunks(rows)) { auto s = insert.for_rows(db, n); bind row r's
//   column c (1-based) at MultiRowStatement::parameter(r, c, 2); step() it as usual }
//
// On PostgreSQL chunks() splits a count into the few fixed sizes below (largest first), and a
// statement is prepared on first use per size, so a connection holds at most
// kChunkSizes.size() of them however the batches vary. On SQLite every chunk is one row: the
// one-row statement it always ran.
//
// ON CONFLICT DO UPDATE refuses a key twice in one statement: callers of an upsert pass each
// key once per chunk (the summaries' maps are keyed by it). DO NOTHING takes the first row of
// a key and skips the rest.
#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "collector/store/database.h"
#include "common/result.h"

namespace regwatch::collector::store {

class MultiRowStatement {
 public:
  // The sizes a batch is cut into. 256 rows of 13 columns stay far below PostgreSQL's 65535
  // parameters per statement; the smaller sizes keep the remainder to a few statements.
  static constexpr std::array<size_t, 4> kChunkSizes = {256, 32, 8, 1};

  MultiRowStatement() = default;
  // head: "INSERT INTO t (cols) VALUES"; tail: what follows the rows (ON CONFLICT ...,
  // RETURNING ...), may be empty. order: the parameter number (1..columns) of each column as
  // head lists them, when they are not 1, 2, 3, ... (kInsertEventSql's ?1, ?12, ?2, ...).
  MultiRowStatement(Dialect dialect, std::string head, int columns, std::string tail,
                    std::vector<int> order = {});

  // The chunk sizes, largest first, that add up to rows (all 1 on SQLite).
  std::vector<size_t> chunks(size_t rows) const;
  // The parameter number of column (1-based) of row (0-based) within a chunk.
  static int parameter(size_t row, int column, int columns) {
    return static_cast<int>(row) * columns + column;
  }
  int columns() const { return columns_; }
  // The statement for a chunk of `rows` rows (one of kChunkSizes), prepared on first use.
  Result<Statement*> for_rows(Database* db, size_t rows);
  // Its SQL (for tests).
  std::string sql(size_t rows) const;

 private:
  bool one_row_ = true;
  std::string head_;
  std::string tail_;
  int columns_ = 0;
  std::vector<int> order_;
  std::map<size_t, Statement> prepared_;
};

}  // namespace regwatch::collector::store
