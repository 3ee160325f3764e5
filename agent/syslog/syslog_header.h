#pragma once
// Reads the header part of a syslog line: PRI, RFC 5424 fields, or the Cisco
// shape where everything before the "%APP-SEV-MNEMONIC:" message is a run of
// sequence numbers, timestamps and hosts (the device's own, and a receiver's
// prefix when the line was relayed or archived). Pure; views point into `line`.
#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/syslog/syslog_timestamp.h"

namespace regwatch::agent::syslog {

struct SyslogHeader {
  int facility = -1;
  int severity = -1;
  bool bad_pri = false;
  bool rfc5424 = false;
  bool bsd = false;            // plain RFC 3164 "Mmm dd hh:mm:ss host tag: msg"
  bool cisco_message = false;  // a %APP-SEV-MNEMONIC: message was found
  std::string_view app;        // "UC_CALLMANAGER", "CCM_CALLMANAGER-CALLMANAGER"
  std::string_view mnemonic;   // "EndPointUnregistered"
  int message_severity = -1;
  std::string_view body;  // after the mnemonic (or the BSD/5424 message)
  // BSD only: everything after the host, the "tag:" included. A free-text message such as a
  // phone's "File auth error: ..." has no tag, and body would lose what precedes its colon.
  std::string_view after_host;
  std::optional<ParsedTimestamp> device_time;
  std::string_view device_time_text;
  std::optional<ParsedTimestamp> relay_time;
  std::string_view device_host;
  std::string_view relay_host;
  uint64_t sequence = 0;
  bool uptime_stamp = false;  // "1d02h:" style: the device gave no date
};

SyslogHeader parse_header(std::string_view line);

}  // namespace regwatch::agent::syslog
