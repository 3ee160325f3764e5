#pragma once
// Turns a parsed message (app, mnemonic, tags, text) into an event kind and its
// typed payload. Pure. Messages it does not know stay SYSLOG_OTHER.
#include <string_view>

#include "agent/syslog/ciscolog_tags.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::syslog {

struct MessageParts {
  std::string_view app;
  std::string_view mnemonic;
  const Tags& tags;
  std::string_view text;  // message text after the tags
};

// Sets event.kind and the payload.
void classify_message(const MessageParts& message, regwatch::v1::Event& event);

}  // namespace regwatch::agent::syslog
