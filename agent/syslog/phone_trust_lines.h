#pragma once
// Phone-side trust failures in free text: a phone that could not authenticate a
// signed file (its "SEP<mac>.cnf.xml.sgn" refused because its ITL came from
// another cluster) or could not update its trust list. Phones send these to a
// syslog server when one is configured (the phone's "Log Server"), and admins
// forward the phone's Status Messages, which carry the same texts. The lines
// come with or without PRI and timestamp; their host is the phone's IP, its
// device name, or a relay.
//
// Recognised (case-insensitive), and only these: the wordings found in real
// phone messages (sources in phone_trust_lines.cpp):
//   FileAuthFail           "authenticated fail", "authentication fail",
//                          "auth fail" or "auth error", naming a signed or
//                          configuration file (.sgn, .cnf.xml, .tlv, .loads)
//                          or saying "file auth";
//   TrustListUpdateFailed  "Trust List update failed" (ITL and CTL);
//   CTLUpdateFailed        "CTL update failed".
// Informational ones ("No Trust List installed", "Trust List updated", "ITL
// installed") and a bare "Auth Failed" (a wireless phone refused by its access
// point) are not failures of trust and are left alone.
//
// Pure: no I/O, clock, logging or globals. Only the first kMaxTrustScanBytes
// of the text are read: phone messages are one short sentence, and other
// hosts' long lines must not cost a full scan each.
#include <cstddef>
#include <string_view>

#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::syslog {

inline constexpr size_t kMaxTrustScanBytes = 1024;

// When `text` is such a failure: sets event.kind to PHONE_AUTH_FAILED and the
// phone payload, and returns true. The device is the SEP name of the file the
// text names, else `host` when that is a device name; ip is `host` when that is
// an IPv4 address. `host` is the header's host; when empty, a leading "HOST:"
// or "HOST " token of the text that is an address or a device name stands in.
// alarm is the short name above; reason is the failure in words followed by
// the phone's own text (its "Reason:14" kept; that number is the phone's, not
// a CUCM reason code, so reason_code stays unset). A failure naming no device
// is still classified, with an empty device_name. Otherwise the event is left
// as it was and false is returned.
bool classify_phone_trust_line(std::string_view text, std::string_view host,
                               regwatch::v1::Event& event);

}  // namespace regwatch::agent::syslog
