#pragma once
// ConditionAlertReader: the query side of the condition alert episodes the condition runner
// keeps (ConditionStore; schema 006): Query.Alerts and `regwatch alerts`. It reads the
// condition_alerts table, which ConditionStore owns, and nothing else.
//
// One per reading thread, on a read-only connection of its own; sees what the writers
// committed.
#include <memory>
#include <string>

#include "collector/store/database.h"
#include "collector/store/store_options.h"
#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::store {

class ConditionAlertReader {
 public:
  static Result<std::unique_ptr<ConditionAlertReader>> open(const std::string& path,
                                                            const StoreOptions& = {});
  // Condition alerts firing (and, when asked, resolved since a time), newest first.
  Result<regwatch::v1::AlertList> alerts(const regwatch::v1::AlertQuery& query);

 private:
  ConditionAlertReader() = default;
  DatabasePtr db_;
};

}  // namespace regwatch::collector::store
