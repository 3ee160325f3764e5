#pragma once
// The webhook receiver type: its config checks and its notifier (payload: webhook_payload.h).
#include "alerts/notifiers/notifier.h"

namespace regwatch::alerts {

NotifierType webhook_notifier_type();

}  // namespace regwatch::alerts
