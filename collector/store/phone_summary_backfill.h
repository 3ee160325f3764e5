#pragma once
// The C++ step of migration 013 (schema/013_summaries.sql): its SQL lists every device the
// stored events name, with the latest event time naming it; this fills each one's MAC (from
// its name) and its latest IP and description, which only the payloads hold. Runs in the
// migration's transaction.
//
// Per device it reads its newest events through the events_device_time index and stops once
// it has both, or after a bounded number of events (a phone's first few newest events carry
// them when any do), so the cost grows with the number of phones, not of events.
#include "collector/store/database.h"

#include "common/result.h"

namespace regwatch::collector::store {

Status backfill_phone_summaries(Database* db);

}  // namespace regwatch::collector::store
