#pragma once
// The email receiver type: its config checks and its notifier (payload: email_payload.h).
#include "alerts/notifiers/notifier.h"

namespace regwatch::alerts {

NotifierType email_notifier_type();

}  // namespace regwatch::alerts
