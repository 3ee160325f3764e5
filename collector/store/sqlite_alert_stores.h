#pragma once
// Alerting's persistence (alerts/store/) on the collector's store (SQLite or PostgreSQL): the
// outbox and the incidents alerts read back are one AlertOutbox, the silences a SilenceStore.
// The collector hands this to the AlertDispatcher; each call opens one thread's own
// connections. fence: the lease the outbox's delivery claims check (collectors in pairs).
#include <string>

#include "alerts/store/alert_stores.h"
#include "collector/store/leader_lease.h"

namespace regwatch::collector::store {

alerts::OpenAlertStores sqlite_alert_stores(std::string db_path, LeaseFence fence = {});

}  // namespace regwatch::collector::store
