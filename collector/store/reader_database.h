#pragma once
// How the query readers (event_reader.h, incident_reader.h, condition_alert_reader.h,
// outbox_status_reader.h) open their connection: read-only, and on PostgreSQL with a reply
// deadline, which nothing else gave them: a read sent into a network gone silent (a collector
// cut off from its store behind a proxy or a DROP rule; TCP's own timeouts see nothing while
// the path still acknowledges) waited for ever, holding one of the few query workers, and
// `regwatch status` never answered.
#include <chrono>
#include <string>

#include "collector/store/database.h"
#include "collector/store/store_options.h"
#include "common/result.h"

namespace regwatch::collector::store {

// The readers' reply deadline. Queries on a big history take seconds (a week's `top`, a
// status's count per agent), and an operator who raises the CLI's --timeout (10 s by default)
// for one must still get it: so 30 s, three times the CLI's default. Past it the store is taken
// for gone, the read fails "unavailable" and the worker is free again.
inline constexpr std::chrono::milliseconds kReaderReplyTimeout{30'000};
// For the first, trivial read of a status (the schema version, one row): a store that cannot
// answer that within 2 s is cut off or down, and Status says so then rather than after the
// reader deadline; the status's own scans run under the reader deadline above.
inline constexpr std::chrono::milliseconds kProbeReplyTimeout{2'000};

// open_database(path, read_only = true, ...) with kReaderReplyTimeout set on PostgreSQL.
Result<DatabasePtr> open_reader_database(const std::string& path, const StoreOptions& options);

}  // namespace regwatch::collector::store
