#pragma once
// The phone's own account of why it lost its last registration: the Last= word of the
// cisco-alarm a Cisco SIP phone puts in the Reason header of its first REGISTER after a restart
// (agent/sip), mapped beside CUCM's reason codes (domain_tables.h). One table, used by the
// agent (to stamp PhoneEvent.last_loss_name / last_loss_class) and by the collector (explain).
// Sources of each entry are in docs/sip.md.
//
// The words are matched without regard to case or to '-' / '_' ("cm-closed-tcp",
// "CM_Closed_TCP"). Classes are reason_class.h's: network, planned, security, config, storm,
// other.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace regwatch::domain {

struct PhoneLossReason {
  std::string_view word;        // as the phone sends it: "cm-closed-tcp"
  std::string_view name;        // CUCM's LastOutOfServiceInformation name: "TCPucmClosedConnection"
  std::optional<int32_t> code;  // its number in that table, when known
  std::string_view reason_class;
  std::string_view meaning;  // in words, for people
};

// The entry for a Last= word; nullptr when the word is not in the table (callers keep the word
// and say "other").
const PhoneLossReason* phone_loss_reason(std::string_view word);

namespace detail {
extern const std::span<const PhoneLossReason> kPhoneLossReasons;
}  // namespace detail

}  // namespace regwatch::domain
