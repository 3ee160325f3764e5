#pragma once
// StoreBackend: the one place that knows which database holds the event history. The
// collector opens it once from `db:` in its config and asks it for the sink and sources the
// services use, so those services depend on EventSink / EventSource only.
//
// open_store_backend(location):
//   "/var/lib/regwatch/events.db", "events.db"  SQLite
//   "postgresql://..." or "postgres://..."      PostgreSQL (libpq; docs/postgresql.md)
//   any other "<scheme>://..."                  error "store_backend": unknown scheme
// Both run the same stores (EventWriter / EventReader, and the alerting tables' stores) over
// Database (database.h), which opens the driver the location names.
// Opening the backend opens no connection: open_sink() and open_source() do, each a new one
// (the sink applies the migrations, so open it first).
//
// Threads: a backend is immutable once opened; open_* may be called from any thread, and
// each sink or source it returns is then used by one thread.
#include <memory>
#include <string>
#include <string_view>

#include "collector/store/event_sink.h"
#include "collector/store/event_source.h"
#include "collector/store/store_options.h"
#include "common/result.h"

namespace regwatch::collector::store {

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  // "sqlite" or "postgresql", for logs and status.
  virtual std::string_view name() const = 0;
  // The location for logs and messages (a URL without its password).
  virtual const std::string& shown_location() const = 0;
  // SQLite: a file whose directory the collector makes if missing.
  virtual bool is_local_file() const = 0;
  // The one writer (the commit queue's); applies the migrations.
  virtual Result<std::unique_ptr<EventSink>> open_sink() const = 0;
  // A reader for one thread.
  virtual Result<std::unique_ptr<EventSource>> open_source() const = 0;
};

Result<std::unique_ptr<StoreBackend>> open_store_backend(const std::string& location,
                                                         const StoreOptions& options = {});

}  // namespace regwatch::collector::store
