#pragma once
// What holds a page back: an active silence that covers the alert, or a firing alert that
// inhibits it (alerting.inhibit_rules). Read by the router before it owes a new page and by
// each delivery step before it sends one.
//
// A store that cannot be read holds nothing back: a broken silence table or a busy store must
// not stop pages.
#include <cstdint>
#include <optional>
#include <string>

#include "alerts/alerting_config.h"
#include "alerts/incident_alert.h"
#include "alerts/store/incident_source.h"
#include "alerts/store/silence_source.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::alerts {

// The active silence that covers these labels, if any.
std::optional<regwatch::v1::Silence> silenced(SilenceSource& store, const Alert& alert,
                                              int64_t now_us);

// The firing alert that inhibits this one ("<alertname> <key>"), if any: one that matches a
// rule's source, carries the same values for the rule's equal labels, and is not itself.
std::optional<std::string> inhibitor(IncidentSource& incidents, const Alert& alert,
                                     const AlertingConfig& config);

}  // namespace regwatch::alerts
