#pragma once
// What each kind of receiver is sent for an alert, in the receiver's own documented format;
// each lives with its notifier in alerts/notifiers/<type>/. This header gathers them for code
// that renders several (tests, tools). Pure: time is passed in.
//   webhook:      Alertmanager's webhook body, version 4 (existing receivers work)
//   pagerduty:    Events API v2 trigger / resolve, dedup_key = the incident id
//   alertmanager: API v2 postable alerts (POST /api/v2/alerts)
//   email:        a MIME message, text and HTML, with the causes and the command to run
#include "alerts/notifiers/alertmanager/alertmanager_payload.h"
#include "alerts/notifiers/email/email_payload.h"
#include "alerts/notifiers/pagerduty/pagerduty_payload.h"
#include "alerts/notifiers/payload_fields.h"
#include "alerts/notifiers/webhook/webhook_payload.h"
