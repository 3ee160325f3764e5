#pragma once
// The alertmanager receiver type: its config checks and its notifier (payload:
// alertmanager_payload.h).
#include "alerts/notifiers/notifier.h"

namespace regwatch::alerts {

NotifierType alertmanager_notifier_type();

}  // namespace regwatch::alerts
