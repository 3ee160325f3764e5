#pragma once
// OutboxStatusReader: what Query.Status says about notifications: per receiver, the pages
// pending, delivered and given up, the failed attempts and the last error. It reads the
// alert_outbox table, which AlertOutbox owns (schema 003), and nothing else; the query
// service adds its answer to the events' status (EventSource::status).
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

class OutboxStatusReader {
 public:
  static Result<std::unique_ptr<OutboxStatusReader>> open(const std::string& path,
                                                          const StoreOptions& = {});
  // Adds one ReceiverStatus per receiver with pages in the outbox, by receiver name.
  Status add_receivers(regwatch::v1::StatusReply& reply);

 private:
  OutboxStatusReader() = default;
  DatabasePtr db_;
};

}  // namespace regwatch::collector::store
