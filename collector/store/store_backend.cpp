#include "collector/store/store_backend.h"

#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"

namespace regwatch::collector::store {
namespace {

class SqliteBackend final : public StoreBackend {
 public:
  SqliteBackend(std::string path, const StoreOptions& options)
      : path_(std::move(path)), options_(options) {}
  std::string_view name() const override { return "sqlite"; }
  Result<std::unique_ptr<EventSink>> open_sink() const override {
    auto writer = EventWriter::open(path_, options_);
    if (!writer.ok()) return writer.error();
    return std::unique_ptr<EventSink>(std::move(writer).value());
  }
  Result<std::unique_ptr<EventSource>> open_source() const override {
    auto reader = EventReader::open(path_, options_);
    if (!reader.ok()) return reader.error();
    return std::unique_ptr<EventSource>(std::move(reader).value());
  }

 private:
  std::string path_;
  StoreOptions options_;
};

}  // namespace

Result<std::unique_ptr<StoreBackend>> open_store_backend(const std::string& location,
                                                         const StoreOptions& options) {
  // A URL names its backend by scheme; anything else is a SQLite file path. (A path with
  // "://" in it would be read as a URL: no such path is plausible for a database file.)
  const size_t scheme_end = location.find("://");
  if (scheme_end != std::string::npos) {
    const std::string scheme = location.substr(0, scheme_end);
    if (scheme == "postgresql" || scheme == "postgres") {
      return make_error("store_backend",
                        "the PostgreSQL store backend is not built in yet; set db: to the path "
                        "of a SQLite file");
    }
    return make_error("store_backend", "unknown store backend '" + scheme + "://' in db: " +
                                           location + "; give the path of a SQLite file");
  }
  return std::unique_ptr<StoreBackend>(std::make_unique<SqliteBackend>(location, options));
}

}  // namespace regwatch::collector::store
