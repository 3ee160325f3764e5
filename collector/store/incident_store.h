#pragma once
// Incidents in SQLite (schema/002_incidents.sql). The correlation thread owns
// an IncidentWriter; queries list them through EventReader::incidents.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "collector/store/sqlite_handle.h"
#include "common/result.h"

namespace regwatch::collector::store {

struct IncidentRow {
  std::string id;
  std::string state;
  std::string incident_class;
  std::string scope_type;
  std::string scope_name;
  int64_t start_time_us = 0;
  int64_t end_time_us = 0;
  uint32_t phone_count = 0;
  std::string top_cause;
  std::string body_json;
};

class IncidentWriter {
 public:
  static Result<std::unique_ptr<IncidentWriter>> open(const std::string& path,
                                                      int busy_timeout_ms = 5000);
  // In one transaction: every incident that started in [from_us, to_us) is
  // replaced by `rows` (a recomputation of that range).
  Status replace_range(int64_t from_us, int64_t to_us, const std::vector<IncidentRow>& rows,
                       int64_t now_us);

 private:
  IncidentWriter() = default;
  SqliteDb db_;
};

}  // namespace regwatch::collector::store
