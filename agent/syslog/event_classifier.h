#pragma once
// Turns a parsed message (app, mnemonic, tags, text) into an event kind and its
// typed payload. Pure. Messages it does not know stay SYSLOG_OTHER. Free text
// without a %APP-SEV-MNEMONIC (empty app and mnemonic) is classified too: phones
// write their trust failures that way (phone_trust_lines.h). One family per helper:
// interface_names.h, switch_cpu_lines.h, cucm_service_alarms.h.
#include <string_view>

#include "agent/syslog/ciscolog_tags.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::syslog {

struct MessageParts {
  std::string_view app;
  std::string_view mnemonic;
  const Tags& tags;
  std::string_view text;       // message text after the tags
  std::string_view host = {};  // the header's host: a phone names itself there
};

// Sets event.kind and the payload, and event.syslog.interface to the port the message names
// (the typed payload's, else the first interface name in the text; "" if none).
void classify_message(const MessageParts& message, regwatch::v1::Event& event);

}  // namespace regwatch::agent::syslog
