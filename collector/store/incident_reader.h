#pragma once
// IncidentReader: the query side of the incidents the correlation runner writes
// (IncidentStore, incident_lineage; schema 002 and 005): Query.Incidents and
// `regwatch incidents`. It reads incidents, incident_ids and incident_updates, the tables
// IncidentStore owns, and nothing else.
//
// One per reading thread, on a read-only connection of its own; sees what the writers
// committed. A bad scope is an error ("query"), never a crash.
#include <memory>
#include <string>

#include "collector/store/database.h"
#include "collector/store/store_options.h"
#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::store {

// IncidentQuery.scope taken apart: a type, a name, or both ("switch:sw-3f").
struct ScopeFilter {
  std::string type;  // cluster, cm_node, switch, module, vlan, subnet, tftp_server; "" = any
  std::string name;  // "" = any
};
Result<ScopeFilter> parse_scope_filter(const std::string& text);

class IncidentReader {
 public:
  static Result<std::unique_ptr<IncidentReader>> open(const std::string& path,
                                                      const StoreOptions& = {});
  // Incidents (schema 002), newest first; by id (an old id finds the incident that continues
  // it) with its recorded updates.
  Result<regwatch::v1::IncidentList> incidents(const regwatch::v1::IncidentQuery& query);

 private:
  IncidentReader() = default;
  DatabasePtr db_;
};

}  // namespace regwatch::collector::store
