#pragma once
// The email receiver's payload: a MIME message, text and HTML, with the causes and the command
// to run. Pure: time is passed in.
#include <cstdint>
#include <string>
#include <vector>

#include "alerts/incident_alert.h"

namespace regwatch::alerts {

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

}  // namespace regwatch::alerts
