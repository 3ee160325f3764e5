#pragma once
// Alerting's persistence (alerts/store/) on the collector's SQLite database: the outbox and the
// incidents alerts read back are one AlertOutbox, the silences a SilenceStore. The collector
// hands this to the AlertDispatcher; each call opens one thread's own connections.
#include <string>

#include "alerts/store/alert_stores.h"

namespace regwatch::collector::store {

alerts::OpenAlertStores sqlite_alert_stores(std::string db_path);

}  // namespace regwatch::collector::store
