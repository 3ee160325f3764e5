#pragma once
// Test incidents written as their JSON rendering (what reads best in a test), made records the
// way the store converts an older database's rows (collector/store/legacy_records.h), with as
// many phones as the JSON's phone_count says when it lists none.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "collector/store/legacy_records.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::alerts {

inline v1::Incident record_of(const nlohmann::ordered_json& doc) {
  v1::Incident record = collector::store::incident_from_legacy_json(doc.dump()).value();
  if (record.phones().empty()) {
    const int count = doc.value("phone_count", 0);
    for (int k = 0; k < count; ++k) {
      char name[16];
      std::snprintf(name, sizeof name, "SEP%012d", k);
      record.add_phones(name);
    }
  }
  return record;
}

}  // namespace regwatch::alerts
