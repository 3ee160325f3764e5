#pragma once
// The persistence one dispatcher thread uses, opened for it by whoever wires alerting up (the
// collector: collector/store/sqlite_alert_stores.h). Each thread (the router, each receiver's
// delivery thread) calls OpenAlertStores once and keeps what it got: its own connections, so no
// thread waits on another's statement.
//
// outbox and incidents may be one object (SQLite keeps both in one database): hence shared
// ownership within the bundle; a bundle is never shared between threads.
#include <functional>
#include <memory>

#include "alerts/store/incident_source.h"
#include "alerts/store/outbox_store.h"
#include "alerts/store/silence_source.h"
#include "common/result.h"

namespace regwatch::alerts {

struct AlertStores {
  std::shared_ptr<OutboxStore> outbox;
  std::shared_ptr<IncidentSource> incidents;
  std::shared_ptr<SilenceSource> silences;
};

// Opens one thread's stores; an error stops the dispatcher's start.
using OpenAlertStores = std::function<Result<AlertStores>()>;

}  // namespace regwatch::alerts
