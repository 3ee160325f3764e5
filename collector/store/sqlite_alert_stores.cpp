#include "collector/store/sqlite_alert_stores.h"

#include <memory>

#include "collector/store/alert_outbox.h"
#include "collector/store/silence_store.h"

namespace regwatch::collector::store {

alerts::OpenAlertStores sqlite_alert_stores(std::string db_path, LeaseFence fence) {
  return [db_path = std::move(db_path), fence = std::move(fence)]() -> Result<alerts::AlertStores> {
    auto outbox = AlertOutbox::open(db_path, 5000, fence);
    if (!outbox.ok()) return outbox.error();
    auto silences = SilenceStore::open(db_path);
    if (!silences.ok()) return silences.error();
    std::shared_ptr<AlertOutbox> shared_outbox = std::move(outbox).value();
    alerts::AlertStores stores;
    stores.outbox = shared_outbox;
    stores.incidents = shared_outbox;
    stores.silences = std::move(silences).value();
    return stores;
  };
}

}  // namespace regwatch::collector::store
