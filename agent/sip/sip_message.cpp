#include "agent/sip/sip_message.h"

namespace regwatch::agent::sip {

// Placeholder until the parser lands (helper A).
Result<SipMessage> parse_sip_message(std::span<const uint8_t> message) {
  if (message.empty()) return Error{"empty", "empty message"};
  return Error{"not_sip", "parser not written yet"};
}

std::optional<CiscoAlarm> parse_cisco_alarm(std::string_view) { return std::nullopt; }

std::string sip_device_name(const SipMessage& message) { return message.device_name; }

}  // namespace regwatch::agent::sip
