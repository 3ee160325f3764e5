#include "collector/query/sip_registration.h"

#include "collector/query/cucm_reason.h"
#include "common/phone_loss_reasons.h"
#include "common/provenance.h"

namespace regwatch::collector::query {
namespace {

using regwatch::v1::Event;

bool is_sip_event(const Event& e) {
  return e.has_phone() &&
         (e.source() == regwatch::v1::SOURCE_SIP || !e.phone().last_loss().empty() ||
          e.kind() == regwatch::v1::PHONE_FIRMWARE_CHANGED);
}

// The phone's account of its last loss, named from the event when the agent stamped it, else
// from the table (an older agent, or a word the agent's table did not know yet).
void take_last_loss(regwatch::v1::SipRegistration& sip, const Event& e) {
  const auto& p = e.phone();
  sip.set_last_loss(p.last_loss());
  sip.set_cisco_alarm(p.cisco_alarm());
  sip.set_last_loss_us(e.event_time_us());
  const domain::PhoneLossReason* entry = domain::phone_loss_reason(p.last_loss());
  sip.set_last_loss_name(!p.last_loss_name().empty() ? p.last_loss_name()
                         : entry                     ? std::string(entry->name)
                                                     : std::string());
  sip.set_last_loss_class(!p.last_loss_class().empty() ? p.last_loss_class()
                          : entry                      ? std::string(entry->reason_class)
                                                       : std::string("other"));
  sip.set_last_loss_meaning(entry ? std::string(entry->meaning) : std::string());
  sip.clear_cucm_reason();
}

}  // namespace

std::optional<regwatch::v1::SipRegistration> sip_registration_of(
    const regwatch::v1::EventList& timeline, const correlate::DropRule& rule) {
  regwatch::v1::SipRegistration sip;
  bool seen = false;
  correlate::PhoneDrops drops(rule);
  // CUCM's reason for the current drop (its first report with a code), and whether the wire saw
  // the phone register since that drop began.
  std::optional<regwatch::v1::ExplainReason> drop_reason;
  bool wire_registered_since_drop = false;
  for (const auto& stored : timeline.events()) {
    const Event& e = stored.event();
    if (!e.has_phone() || !may_drive_diagnosis(e)) continue;
    const auto& p = e.phone();
    if (correlate::DropRule::is_drop(e)) {
      if (drops.report(e.event_time_us(), e.kind())) {
        drop_reason.reset();
        wire_registered_since_drop = false;
      }
      if (p.has_reason_code() && !drop_reason) {
        drop_reason.emplace();
        set_cucm_reason(*drop_reason, p.reason_code(),
                        e.kind() == regwatch::v1::PHONE_REGISTRATION_FAILED);
      }
    }
    const bool registered = e.kind() == regwatch::v1::PHONE_REGISTERED;
    if (registered) drops.registered(e.event_time_us());
    if (!is_sip_event(e)) continue;
    seen = true;
    if (!p.load_name().empty()) sip.set_load_name(p.load_name());
    if (!p.transport().empty()) sip.set_transport(p.transport());
    if (!p.user_agent().empty()) sip.set_user_agent(p.user_agent());
    if (!p.line().empty()) sip.set_line(p.line());
    if (registered && e.source() == regwatch::v1::SOURCE_SIP) {
      sip.set_registered_us(e.event_time_us());
      sip.set_expires_s(p.keepalive_interval_s());
      sip.set_via_proxy(p.via_proxy());  // "" is news too: it registers directly now
    }
    if (!p.last_loss().empty()) {
      take_last_loss(sip, e);
      if (drops.drop_start_us() >= 0 && !wire_registered_since_drop && drop_reason) {
        *sip.mutable_cucm_reason() = *drop_reason;
      }
    }
    if (registered && e.source() == regwatch::v1::SOURCE_SIP) wire_registered_since_drop = true;
    if (e.kind() == regwatch::v1::PHONE_FIRMWARE_CHANGED) {
      auto& change = *sip.add_firmware_history();
      change.set_from_load(p.previous_load_name());
      change.set_to_load(p.load_name());
      change.set_at_us(e.event_time_us());
    }
  }
  if (!seen) return std::nullopt;
  return sip;
}

std::string protocol_of(const regwatch::v1::EventList& timeline) {
  std::string protocol;
  bool sip_wire = false;
  for (const auto& stored : timeline.events()) {
    const Event& e = stored.event();
    if (!e.has_phone() || !may_drive_diagnosis(e)) continue;
    if (!e.phone().protocol().empty()) protocol = e.phone().protocol();
    if (e.source() == regwatch::v1::SOURCE_SIP) sip_wire = true;
  }
  return protocol.empty() && sip_wire ? std::string("SIP") : protocol;
}

}  // namespace regwatch::collector::query
