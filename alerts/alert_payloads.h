#pragma once
// What each kind of receiver is sent for an alert, in the receiver's own
// documented format. Pure: time is passed in.
//   webhook:      Alertmanager's webhook body, version 4 (existing receivers work)
//   pagerduty:    Events API v2 trigger / resolve, dedup_key = the incident id
//   alertmanager: API v2 postable alerts (POST /api/v2/alerts)
//   email:        a MIME message, text and HTML, with the causes and the command to run
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "alerts/incident_alert.h"

namespace regwatch::alerts {

// One alert per notification: its group is the incident ({incident="<key>"}).
std::string webhook_body(const Alert& alert, const std::string& receiver);
// Several alerts of one group (the receiver's group_by labels and their values) in one
// notification; status is firing while any of them fires.
std::string webhook_body(const std::vector<Alert>& alerts, const std::string& receiver,
                         const std::map<std::string, std::string>& group_labels);
// PagerDuty's summary is at most 1,024 characters; longer ones are cut with "...".
std::string pagerduty_body(const Alert& alert, const std::string& routing_key);
// Firing alerts are sent with an end time valid_for_us ahead of now_us and re-sent while they
// fire (as Prometheus does), so Alertmanager resolves the alerts of a collector that died
// instead of keeping them active; resolved ones end at the incident's end.
std::string alertmanager_body(const Alert& alert, int64_t now_us, int64_t valid_for_us);
std::string alertmanager_body(const std::vector<Alert>& alerts, int64_t now_us,
                              int64_t valid_for_us);

struct EmailMessage {
  std::string subject;
  std::string text;
  std::string html;
};
EmailMessage email_for(const Alert& alert);
// One mail for a group: each alert's text in turn, the subject counting them.
EmailMessage email_for(const std::vector<Alert>& alerts);
// The whole RFC 5322 message, CRLF line ends, multipart/alternative.
std::string mime_message(const EmailMessage& message, const std::string& from,
                         const std::vector<std::string>& to, int64_t now_us,
                         const std::string& message_id);

// Stable across runs: a hash of the sorted labels, 16 hex digits.
std::string fingerprint(const Alert& alert);

}  // namespace regwatch::alerts
