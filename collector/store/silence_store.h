#pragma once
// Silences in SQLite (schema/004_silences.sql): written by the query service
// for `regwatch silence`, read by the alert dispatcher before each send.
//
// Matchers are Alertmanager's (alerts/label_matcher.h). The `matchers` column is JSON:
// rows written before matchers had operators hold an object {label: value} (equality);
// rows written now hold a list [{"name", "type", "value"}] with type "=", "!=", "=~" or
// "!~". Both are read, so no migration is needed and old silences keep working.
// Every silence read back carries all its matchers in label_matchers.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alerts/label_matcher.h"
#include "alerts/store/silence_source.h"
#include "collector/store/database.h"
#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::store {

class SilenceStore final : public alerts::SilenceSource {
 public:
  static Result<std::unique_ptr<SilenceStore>> open(const std::string& path,
                                                    int busy_timeout_ms = 5000);
  // Validates (matchers parse and name labels in label_names, not all of them match an
  // alert without the label, an end after its start, a comment), gives it an id, stores it.
  Result<regwatch::v1::Silence> create(regwatch::v1::Silence silence, int64_t now_us,
                                       const std::vector<std::string>& label_names);
  // Ends it now; an error when there is no such silence.
  Result<regwatch::v1::Silence> expire(const std::string& id, int64_t now_us);
  // Newest first; expired ones (ended before now_us) only when asked.
  Result<std::vector<regwatch::v1::Silence>> list(bool include_expired, int64_t now_us) override;

 private:
  SilenceStore() = default;
  Result<std::optional<regwatch::v1::Silence>> find(const std::string& id);
  DatabasePtr db_;
};

// Whether every matcher of the silence matches the labels: alerts' rule (alerts/label_matcher.h).
using alerts::silences;

}  // namespace regwatch::collector::store
