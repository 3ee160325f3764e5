#pragma once
// The stores' SQL numbers its parameters as SQLite does (?1, ?2, or a bare ?); PostgreSQL wants
// $1, $2. translate_placeholders() rewrites one into the other, leaving alone what is not a
// parameter: '...' strings (with '' inside), "..." identifiers, -- and /* */ comments.
//
// A bare ? is numbered as SQLite numbers it: one more than the largest number so far, so
// "?2, ?, ?1" is "$2, $3, $1". A pure function: no I/O, no libpq.
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace regwatch::collector::store {

// SQLite's own limit on a parameter's number (SQLITE_MAX_VARIABLE_NUMBER's default).
inline constexpr int kMaxPlaceholder = 32766;

struct PostgresSql {
  std::string text;    // with $N
  int parameters = 0;  // the largest N
  // used[N - 1]: whether $N appears. SQLite lets a statement skip a number ("?1 ... ?3"), and
  // PostgreSQL cannot infer a type for one that does not appear: the driver names one.
  std::vector<bool> used;
};

// Errors: "bad_placeholder" for ?0, a number past kMaxPlaceholder, or more bare ? than that.
Result<PostgresSql> translate_placeholders(std::string_view sql);

}  // namespace regwatch::collector::store
