#pragma once
// `regwatch explain`'s SIP panel: a SIP phone's registration as the agent saw it on the wire
// (docs/sip.md): the Expires the registrar granted (the phone's REGISTER refresh is its
// keepalive), transport, User-Agent, proxy and line; its firmware load and every change of it
// (phone_firmware_changed); and the phone's own account of why it lost its previous
// registration (the Last= words of Cisco's Reason header, common/phone_loss_reasons.h), beside
// CUCM's reason code for that same drop when CUCM's syslog gave one. Pure: the caller
// (phone_diagnosis.h) gives the phone's timeline. A spoofed event is not believed.
//
// "That same drop" is the phone's latest drop (the drop rule's, collector/correlate/drop_rule.h)
// before the registration that carried the Last= words, as long as no other registration seen
// on the wire came between them: the first REGISTER after a fall is the one that tells why.
#include <optional>
#include <string>

#include "collector/correlate/drop_rule.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

// timeline: the phone's events, oldest first. Nothing when none of them is a SIP event (source
// sip, or one carrying SIP's Last= words or a firmware change).
std::optional<regwatch::v1::SipRegistration> sip_registration_of(
    const regwatch::v1::EventList& timeline, const correlate::DropRule& rule);

// The protocol the phone registers with, as its latest phone event that says one ("SCCP",
// "SIP"); "SIP" for a phone seen only by the SIP analyzer; "" when nothing says.
std::string protocol_of(const regwatch::v1::EventList& timeline);

}  // namespace regwatch::collector::query
