#pragma once
// Copies a whole regwatch store into another, table by table: how a site moves its history
// from SQLite to PostgreSQL (`regwatch-collector migrate`).
//
// - Both stores must be at this binary's schema version: the source as it is (it is only read;
//   run this collector on it once to upgrade an older file), the target is migrated first.
// - The target must be new (no events) or one this copy started from the same source: the
//   table regwatch_copied_from records the source, so a copy cut short (^C, a lost connection)
//   resumes where it stopped. Rows keep their ids (incidents' evidence names event ids), and
//   the target's id sequences continue after them.
// - Events go in chunks of chunk_rows, each chunk one transaction on the target; the smaller
//   tables one transaction each. Rows already there are left as they are (ON CONFLICT DO
//   NOTHING), so a resumed copy stores nothing twice.
// - At the end each table's row count is compared; any difference is the error
//   "copy_mismatch" naming the tables.
// - Stop the collector on the source first: rows it stores during the copy are not copied
//   (and show as a count mismatch).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "collector/store/database.h"
#include "common/result.h"

namespace regwatch::collector::store {

struct TableCopy {
  std::string table;
  uint64_t source_rows = 0;
  uint64_t target_rows = 0;  // after the copy
  uint64_t copied = 0;       // rows this run inserted
};

// Called after each chunk: the table, rows of it done so far (this run and before), its total.
using CopyProgressFn = std::function<void(const std::string& table, uint64_t done, uint64_t total)>;

Result<std::vector<TableCopy>> copy_store(Database* from, Database* to,
                                          const CopyProgressFn& progress,
                                          uint32_t chunk_rows = 5000);

}  // namespace regwatch::collector::store
