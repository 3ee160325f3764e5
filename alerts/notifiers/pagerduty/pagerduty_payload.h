#pragma once
// The pagerduty receiver's payload: Events API v2 trigger / resolve, dedup_key = the alert's
// key (the incident's first id). Pure.
#include <string>

#include "alerts/incident_alert.h"

namespace regwatch::alerts {

// PagerDuty's summary is at most 1,024 characters; longer ones are cut with "...".
std::string pagerduty_body(const Alert& alert, const std::string& routing_key);

}  // namespace regwatch::alerts
