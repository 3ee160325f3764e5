#pragma once
// Reads the header part of a syslog line: PRI, RFC 5424 fields, or the Cisco
// shape where everything before the "%APP-SEV-MNEMONIC:" message is a run of
// sequence numbers, timestamps and hosts (the device's own, and a receiver's
// prefix when the line was relayed or archived). IOS-XR's node location
// ("LC/0/2/CPU0:" before the time), process ("ifmgr[214]:" after it) and
// " : " before the message's colon are read; so is a Cisco header before free
// text with no %-message ("NTP Core (NOTICE): ..."). Uptime stamps ("1d02h:")
// are never a host. Pure; views point into `line`.
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
  bool cisco_header = false;   // a Cisco header (sequence, host, time), with or without a message
  std::string_view app;        // "UC_CALLMANAGER", "CCM_CALLMANAGER-CALLMANAGER"
  std::string_view mnemonic;   // "EndPointUnregistered"
  int message_severity = -1;
  std::string_view body;  // after the mnemonic (or the BSD/5424 message, or the header's time)
  // A nested message's wrapper, "%IOSXE-6-PLATFORM: R0/0: cpp_cp: QFP:0.0 ...": app, mnemonic,
  // severity and body above are the inner message's; "" when not nested.
  std::string_view outer_message;
  std::string_view node_location;  // IOS-XR "RP/0/RSP0/CPU0", "LC/0/2/CPU0"; "" if none
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
