#include "collector/store/store_backend.h"

#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"
#include "collector/store/postgres_database.h"

namespace regwatch::collector::store {
namespace {

// Both backends run the same stores (EventWriter / EventReader over Database, database.h);
// what differs is the driver open_database() picks from the location.
class DatabaseBackend final : public StoreBackend {
 public:
  DatabaseBackend(std::string location, const StoreOptions& options)
      : location_(std::move(location)),
        options_(options),
        postgresql_(is_postgresql_location(location_)),
        shown_(postgresql_ ? redact_postgres_location(location_) : location_) {}
  std::string_view name() const override { return postgresql_ ? "postgresql" : "sqlite"; }
  const std::string& shown_location() const override { return shown_; }
  bool is_local_file() const override { return !postgresql_; }
  Result<std::unique_ptr<EventSink>> open_sink() const override {
    auto writer = EventWriter::open(location_, options_);
    if (!writer.ok()) return writer.error();
    return std::unique_ptr<EventSink>(std::move(writer).value());
  }
  Result<std::unique_ptr<EventSource>> open_source() const override {
    auto reader = EventReader::open(location_, options_);
    if (!reader.ok()) return reader.error();
    return std::unique_ptr<EventSource>(std::move(reader).value());
  }

 private:
  std::string location_;
  StoreOptions options_;
  bool postgresql_;
  std::string shown_;
};

}  // namespace

Result<std::unique_ptr<StoreBackend>> open_store_backend(const std::string& location,
                                                         const StoreOptions& options) {
  // A URL names its backend by scheme; anything else is a SQLite file path. (A path with
  // "://" in it would be read as a URL: no such path is plausible for a database file.)
  const size_t scheme_end = location.find("://");
  if (scheme_end != std::string::npos && !is_postgresql_location(location)) {
    return make_error("store_backend", "unknown store backend '" + location.substr(0, scheme_end) +
                                           "://' in db: " + location +
                                           "; give the path of a SQLite file or a "
                                           "postgresql:// URL");
  }
  return std::unique_ptr<StoreBackend>(std::make_unique<DatabaseBackend>(location, options));
}

}  // namespace regwatch::collector::store
