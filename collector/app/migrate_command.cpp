#include "collector/app/migrate_command.h"

#include <chrono>
#include <cstdio>

#include "collector/store/database.h"
#include "collector/store/store_copy.h"

namespace regwatch::collector {
namespace {

constexpr int kExitFailed = 2;
// The busy timeout of both connections: a source a collector still holds waits this long.
constexpr int kBusyTimeoutMs = 10'000;

}  // namespace

std::string store_location_from_argument(const std::string& argument) {
  constexpr std::string_view kSqlitePrefix = "sqlite:";
  if (argument.starts_with(kSqlitePrefix)) return argument.substr(kSqlitePrefix.size());
  return argument;
}

int run_migrate(const MigrateOptions& options) {
  const std::string from_location = store_location_from_argument(options.from);
  const std::string to_location = store_location_from_argument(options.to);
  auto from = store::open_database(from_location, true, kBusyTimeoutMs);
  if (!from.ok()) {
    std::fprintf(stderr, "regwatch-collector migrate: cannot open the source: %s\n",
                 from.error().message.c_str());
    return kExitFailed;
  }
  auto to = store::open_database(to_location, false, kBusyTimeoutMs);
  if (!to.ok()) {
    std::fprintf(stderr, "regwatch-collector migrate: cannot open the target: %s\n",
                 to.error().message.c_str());
    return kExitFailed;
  }
  std::fprintf(stderr, "migrate: copying %s into %s\n", (*from)->location().c_str(),
               (*to)->location().c_str());
  // A line per table and at most one every two seconds within a big one.
  auto last_line = std::chrono::steady_clock::now() - std::chrono::hours(1);
  std::string last_table;
  const auto progress = [&](const std::string& table, uint64_t done, uint64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (table == last_table && done < total && now - last_line < std::chrono::seconds(2)) return;
    last_table = table;
    last_line = now;
    const double percent =
        total == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(total);
    std::fprintf(stderr, "migrate: %-17s %12llu / %llu rows (%.0f%%)\n", table.c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                 percent);
  };
  const auto started = std::chrono::steady_clock::now();
  auto copied = store::copy_store(from->get(), to->get(), progress, options.chunk_rows);
  if (!copied.ok()) {
    std::fprintf(stderr, "regwatch-collector migrate: %s: %s\n", copied.error().code.c_str(),
                 copied.error().message.c_str());
    std::fprintf(stderr, "migrate: what was copied stays; run the same command again to resume\n");
    return kExitFailed;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%-17s %12s %12s %12s\n", "TABLE", "SOURCE", "TARGET", "COPIED NOW");
  for (const auto& table : *copied) {
    std::printf("%-17s %12llu %12llu %12llu\n", table.table.c_str(),
                static_cast<unsigned long long>(table.source_rows),
                static_cast<unsigned long long>(table.target_rows),
                static_cast<unsigned long long>(table.copied));
  }
  std::printf("migrate: done in %.1f s; every table's row count matches\n", seconds);
  return 0;
}

}  // namespace regwatch::collector
