#pragma once
// One SIP message (RFC 3261) as the registration watcher needs it: the start line, the headers
// a REGISTER and its answers carry, and what Cisco phones put in them (docs/sip.md,
// ../shared/domain/FACTS.md section 9). Pure; never throws on wire data.
//
// parse_sip_message() reads one whole message: a UDP datagram's payload, or what SipFramer
// (sip_framer.h) cut from a TCP stream. Header names are matched without regard to case, in
// their long and compact forms (v Via, f From, t To, m Contact, i Call-ID, l Content-Length);
// folded lines (a line starting with space or tab continues the previous one) are unfolded; a
// header that may repeat (Via, Contact, Warning) may also come as one comma-separated line.
// Errors are named: "empty", "not_sip" (the start line is neither a request nor a status line),
// "bad_status_line", "no_header_end", "bad_cseq", "bad_content_length", "missing_call_id",
// "head_too_long" (over kMaxSipHead bytes before the blank line).
//
// Strings are as on the wire (callers make them valid UTF-8 before they leave the agent); each
// is at most kMaxSipField bytes, longer ones are cut and counted in truncated_fields.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace regwatch::agent::sip {

inline constexpr size_t kMaxSipHead = 16 * 1024;
inline constexpr size_t kMaxSipField = 512;

// Cisco's account of its last registration loss, in the Reason header of the first REGISTER
// after a restart: Reason: SIP;cause=200;text="cisco-alarm:25 Name=SEP0011223344
// Load=sip88xx.14-2-1 Last=cm-closed-tcp". Keys may come in any order; ones not named here are
// ignored.
struct CiscoAlarm {
  uint32_t alarm = 0;       // cisco-alarm:N
  std::string device_name;  // Name=
  std::string load;         // Load=
  std::string last;         // Last=
  bool operator==(const CiscoAlarm&) const = default;
};

// A parsed URI of the forms sip:user@host:port;params and <sip:...>; only its parts.
struct SipUri {
  std::string scheme;  // sip, sips, tel
  std::string user;
  std::string host;  // without brackets for IPv6
  std::optional<uint16_t> port;
  std::string transport;  // the ;transport= parameter, lower case
  bool operator==(const SipUri&) const = default;
};

inline constexpr size_t kMaxSipBindings = 16;

struct SipBinding {
  std::string user;
  std::string host;
  std::optional<uint32_t> expires;
  bool operator==(const SipBinding&) const = default;
};

struct SipMessage {
  bool request = false;
  std::string method;       // request: REGISTER, INVITE, ...; upper case as sent
  std::string request_uri;  // request: sip:cucm.example.com
  int status = 0;           // response: 200, 401, ...
  std::string reason_phrase;

  std::string call_id;
  uint32_t cseq = 0;
  std::string cseq_method;  // the method the CSeq names (a response's request)

  SipUri from, to;  // the address of record is to (for REGISTER, a line's DN)
  std::string to_tag;

  // The first Contact (a REGISTER of a Cisco phone has one); contact_star for "Contact: *".
  bool has_contact = false;
  bool contact_star = false;
  SipUri contact;
  std::optional<uint32_t> contact_expires;  // its ;expires= parameter
  std::string device_name;                  // its +u.sip!devicename.ccm.cisco.com="SEP..."
  std::string instance_mac;                 // from +sip.instance="<urn:uuid:...-<12 hex>>":
                                            // "00:11:22:33:44:55", lower case; "" if not one
  std::string model;                        // its +u.sip!model.ccm.cisco.com="..."
  // Every Contact's user, host and ;expires (at most kMaxSipBindings; more are counted in
  // truncated_fields): a registrar's 2xx lists every binding of the address of record, and
  // the phone's own grant is the one with its Contact, not necessarily the first.
  std::vector<SipBinding> bindings;

  std::optional<uint32_t> expires;  // the Expires header
  std::string user_agent;
  std::string server;

  // The sent-by host of each Via, top first: the last one is the phone's own when the request
  // came through a proxy.
  std::vector<std::string> via_hosts;
  std::string via_transport;  // of the top Via: UDP, TCP, TLS as sent

  bool has_authorization = false;         // Authorization or Proxy-Authorization present
  std::string warning;                    // the Warning headers' text, joined by "; "
  std::string reason;                     // the Reason header as sent
  std::optional<CiscoAlarm> cisco_alarm;  // decoded from reason when it is one

  std::string content_type;
  std::optional<size_t> content_length;
  size_t head_bytes = 0;  // through the blank line
  size_t truncated_fields = 0;
  bool operator==(const SipMessage&) const = default;
};

Result<SipMessage> parse_sip_message(std::span<const uint8_t> message);
// The same, into a caller-owned message that is cleared first and keeps its strings' capacity:
// a capture parses every packet into one, with no allocation in the steady state. On an error
// out holds what was read before it (callers use it only on success).
Status parse_sip_message(std::span<const uint8_t> message, SipMessage& out);

// The Reason header's value decoded, when its text is a cisco-alarm; nullopt otherwise.
std::optional<CiscoAlarm> parse_cisco_alarm(std::string_view reason_value);

// The device name a phone's REGISTER speaks for: the Contact's devicename parameter, else a
// SEP/ATA/... name as the Contact's or To's user; "" when none.
std::string sip_device_name(const SipMessage& message);

}  // namespace regwatch::agent::sip
