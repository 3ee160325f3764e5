#include "common/phone_loss_reasons.h"

#include <algorithm>
#include <array>

namespace regwatch::domain {
namespace {

// One entry per Last= word (docs/sip.md, "The loss table", gives the source of each). The
// phone's stack numbers these words itself (the cisco-alarm:N of the Reason header: 14 for
// CM-closed-TCP, 23 for Reset-Restart); `code` is CUCM's LastOutOfServiceInformation number,
// set only where the catalogue's name says the same thing. Where the two tables disagree
// (15-17, 21) or the catalogue has no such entry, the meaning decides the name, or the name
// stays empty.
constexpr std::array kTable{
    PhoneLossReason{"TCP-timeout", "TCPtimedOut", 10, "network",
                    "the TCP connection to the CM timed out: nothing came back from the CM"},
    PhoneLossReason{"TCP-Bad-ACK", "", std::nullopt, "network",
                    "the TCP connection to the CM broke on a bad acknowledgement"},
    PhoneLossReason{"CM-reset-TCP", "TCPucmResetConnection", 12, "network",
                    "the CM reset the TCP connection"},
    PhoneLossReason{"CM-aborted-TCP", "TCPucmAbortedConnection", 13, "network",
                    "the CM aborted the TCP connection"},
    PhoneLossReason{"CM-closed-TCP", "TCPucmClosedConnection", 14, "network",
                    "the CM closed the TCP connection (CM service restart, CM failover or a "
                    "middlebox closing it)"},
    PhoneLossReason{"CM-ICMP-Unreach", "", std::nullopt, "network",
                    "the CM's address answered ICMP unreachable"},
    PhoneLossReason{"CM-NAKed", "", std::nullopt, "other", "the CM refused (NAKed) the phone"},
    PhoneLossReason{"KeepaliveTO", "SCCPKeepAliveFailure", 15, "network",
                    "the phone's keepalive (SIP: its REGISTER refresh) went unanswered"},
    PhoneLossReason{"Failback", "TCPclosedConnectHighPriorityUcm", 18, "planned",
                    "the phone left its CM to go back to a higher-priority CM of its group"},
    PhoneLossReason{"Phone-Diag", "", std::nullopt, "other",
                    "the phone restarted for its own diagnostics"},
    PhoneLossReason{"Phone-Keypad", "TCPclosedUserInitiatedReset", 20, "planned",
                    "someone reset the phone from its keypad or settings menu"},
    PhoneLossReason{"Phone-Re-IP", "TCPdeviceLostIPAddress", 16, "network",
                    "the phone lost or changed its IP address (DHCP lease, duplicate address)"},
    PhoneLossReason{"Reset-Reset", "TCPclosedUcmInitiatedReset", 22, "planned",
                    "the CM told the phone to reset (an administrator's Reset)"},
    PhoneLossReason{"Reset-Restart", "TCPclosedUcmInitiatedRestart", 23, "planned",
                    "the CM told the phone to restart (an administrator's Restart or Apply "
                    "Config)"},
    PhoneLossReason{"Phone-Reg-Rej", "TCPClosedRegistrationReject", 24, "config",
                    "the CM rejected the phone's registration"},
    PhoneLossReason{"Initialized", "", std::nullopt, "other",
                    "the phone booted from power-on: it cannot say why it lost the previous "
                    "registration (power, PoE, cable)"},
    PhoneLossReason{"Phone-Abort", "", std::nullopt, "other",
                    "the phone aborted its connection to the CM"},
    PhoneLossReason{"Device-Initiated-Reset", "", std::nullopt, "planned",
                    "the phone reset itself (user, power cycle or internal error)"},
    PhoneLossReason{"Application-Requested-Destroy", "", std::nullopt, "planned",
                    "the client application closed its registration (a soft client quitting)"},
};

// '-' and '_' are one character, and case does not count: "CM_Closed_TCP" is "cm-closed-tcp".
constexpr char fold(char c) {
  if (c == '_') return '-';
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c;
}

bool same_word(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return fold(x) == fold(y); });
}

}  // namespace

namespace detail {
const std::span<const PhoneLossReason> kPhoneLossReasons{kTable};
}  // namespace detail

const PhoneLossReason* phone_loss_reason(std::string_view word) {
  const auto it = std::find_if(kTable.begin(), kTable.end(), [word](const PhoneLossReason& r) {
    return same_word(r.word, word);
  });
  return it == kTable.end() ? nullptr : &*it;
}

}  // namespace regwatch::domain
