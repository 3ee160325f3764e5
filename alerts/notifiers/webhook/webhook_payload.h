#pragma once
// The webhook receiver's payload: Alertmanager's webhook body, version 4, so existing webhook
// receivers work. Pure.
#include <map>
#include <string>
#include <vector>

#include "alerts/incident_alert.h"

namespace regwatch::alerts {

// One alert per notification: its group is the incident ({incident="<key>"}).
// external_url: the dashboard's (AlertingConfig::external_url): externalURL, and each alert's
// generatorURL its page; "" leaves both empty as Alertmanager's own do without one.
std::string webhook_body(const Alert& alert, const std::string& receiver,
                         const std::string& external_url = {});
// Several alerts of one group (the receiver's group_by labels and their values) in one
// notification; status is firing while any of them fires.
std::string webhook_body(const std::vector<Alert>& alerts, const std::string& receiver,
                         const std::map<std::string, std::string>& group_labels,
                         const std::string& external_url = {});

}  // namespace regwatch::alerts
