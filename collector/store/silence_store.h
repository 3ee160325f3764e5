#pragma once
// Silences in SQLite (schema/004_silences.sql): written by the query service
// for `regwatch silence`, read by the alert dispatcher before each send.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collector/store/sqlite_handle.h"
#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::store {

class SilenceStore {
 public:
  static Result<std::unique_ptr<SilenceStore>> open(const std::string& path,
                                                    int busy_timeout_ms = 5000);
  // Validates (matchers, an end after its start, a comment), gives it an id, stores it.
  Result<regwatch::v1::Silence> create(regwatch::v1::Silence silence, int64_t now_us);
  // Ends it now; an error when there is no such silence.
  Result<regwatch::v1::Silence> expire(const std::string& id, int64_t now_us);
  // Newest first; expired ones (ended before now_us) only when asked.
  Result<std::vector<regwatch::v1::Silence>> list(bool include_expired, int64_t now_us);

 private:
  SilenceStore() = default;
  Result<std::optional<regwatch::v1::Silence>> find(const std::string& id);
  SqliteDb db_;
};

// Whether the silence's matchers are all among the labels.
bool silences(const regwatch::v1::Silence& silence,
              const std::map<std::string, std::string>& labels);

}  // namespace regwatch::collector::store
