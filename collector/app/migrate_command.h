#pragma once
// `regwatch-collector migrate --from LOCATION --to LOCATION`: copies a store's whole history
// into another (store_copy.h), typically a site's SQLite file into PostgreSQL, printing progress
// and a table of row counts. Resumable: run the same command again after an interruption.
#include <cstdint>
#include <string>

namespace regwatch::collector {

struct MigrateOptions {
  std::string from;  // "sqlite:PATH", a plain PATH, or a postgresql:// URL
  std::string to;
  uint32_t chunk_rows = 5000;
};

// Returns the process's exit code: 0 copied and counts equal, 2 failed (the reason printed).
int run_migrate(const MigrateOptions& options);

// "sqlite:/x.db" -> "/x.db"; anything else unchanged.
std::string store_location_from_argument(const std::string& argument);

}  // namespace regwatch::collector
