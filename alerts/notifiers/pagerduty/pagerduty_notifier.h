#pragma once
// The pagerduty receiver type: its config checks and its notifier (payload: pagerduty_payload.h).
#include "alerts/notifiers/notifier.h"

namespace regwatch::alerts {

NotifierType pagerduty_notifier_type();

}  // namespace regwatch::alerts
