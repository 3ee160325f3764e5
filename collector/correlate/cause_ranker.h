#pragma once
// Candidate causes of one burst, scored and ranked. A candidate is an event in
// [first drop - lookback, last drop] that can explain phones dropping: CPU on a
// CM node or switch, heartbeat low, KeepAliveAck latency, a CM restart,
// interface errors, a link or module down, a PoE fault; and the reason-code
// mix itself for planned, security and config incidents (for security, also the
// phones' own trust failures: phone_auth_failed).
//
// score = precedence x overlap x magnitude x agreement, each in 0..1:
//   precedence: 1 just before the first drop, 0.5 at the lookback edge, below
//               0.4 after the first drop (an effect rather than a cause);
//   overlap:    the share of the burst's phones behind the candidate's subject
//               (registered to that CM node, attached to that switch / module /
//               port) times the share of the subject's own phones that dropped: a
//               CM node whose phones on other switches stayed registered explains a
//               switch's burst poorly, however many of its phones are in it. A PoE
//               fault stands for its port's stack member (its power controller). A
//               port's phones are those CDP/LLDP placed on it; a port without one
//               but among the switch's phone ports (Gi1/0/17 beside Gi1/0/1-12)
//               explains no phone; only a port unlike theirs (Te1/1/1) is taken for
//               the uplink or a trunk, and stands for its switch;
//   magnitude:  how far over its threshold (CPU peak, latency);
//   agreement:  0.5 + half the share of network-class reasons for
//               infrastructure causes.
// Each cause also lists the scopes it explains (Cause::scopes), which the incident's
// scope is chosen by when several hold the same phones (scope_choice.h).
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "collector/correlate/correlator.h"
#include "collector/correlate/incident.h"
#include "common/host_name.h"

namespace regwatch::collector::correlate {

// Where each phone of the burst was, as the correlator knew it at its drop.
struct PhonePlace {
  std::string cm_node;
  std::string switch_name;
  uint32_t module = 0;
  std::string port;
};

// The phones known behind each subject a cause can have, dropped or not: the correlator's scope
// sizes (phones seen there in the events read, or a CM node's CCM-MIB count), and for the
// switch ports that candidates name, the phones CDP/LLDP last placed there. A subject not
// listed is of unknown size, and a candidate on it is weighed by the burst's share alone.
struct Populations {
  std::map<std::string, uint64_t> cm_nodes;  // by short host
  std::map<std::string, uint64_t> switches;  // by short host
  std::map<std::string, uint64_t> modules;   // "sw-3f/2"
  std::map<std::string, uint64_t> ports;     // by port_key()
  // The same for those ports' groups (port_group(): "sw-3f gi1/0/"), the ports beside them.
  std::map<std::string, uint64_t> port_groups;
};

// One spelling of a switch port, whatever the input's: "sw-3f.example.net" and
// "GigabitEthernet1/0/17" or "Gi1/0/17" -> "sw-3f gi1/0/17".
std::string port_key(std::string_view switch_name, std::string_view port);
// A port_key()'s group: the ports of one type on one member and module, "sw-3f gi1/0/" for
// "sw-3f gi1/0/17" (a stack member's front panel; its uplink module's are "te1/1/"). Empty when
// the name has no '/'.
std::string port_group(std::string_view port_key);
// The switch port a candidate event names (interface errors, a link down or err-disabled, a
// PoE fault) as port_key() spells it; empty for any other event.
std::string port_key_of(const regwatch::v1::Event& event);

// Reason classes (CUCM reason codes: the EndPointUnregistered / EndPointTransientConnection
// alarm reasons of Cisco's "Alarm Message Definitions" for CUCM 12.5, which equal the
// CcmDevUnregCauseCode / CcmDevRegFailCauseCode TCs of CISCO-CCM-MIB).
std::string reason_class(int32_t code);  // network, planned, security, config, storm, other
// The incident's phones per reason class; phones dropped without a code count
// as network (connection_lost, keepalive_missed), or as security when the phone
// reported a trust failure (phone_auth_failed).
std::map<std::string, uint32_t> phones_by_reason_class(const Incident& incident);

// candidates: the non-phone events around the burst; drops: the burst's own drop reports
// (a CM restart seen only on the wire shows there: its connections all reset at once);
// populations: what is behind each subject. A pure function of its arguments.
std::vector<Cause> rank_causes(const Incident& incident,
                               const std::map<std::string, PhonePlace>& places,
                               const std::vector<const StoredEvent*>& candidates,
                               const std::vector<const StoredEvent*>& drops,
                               const Populations& populations, const CorrelationSettings& settings);

// "ucm-sub1.voice.example.net" and "ucm-sub1" name the same host (common/host_name.h).
using regwatch::short_host;

}  // namespace regwatch::collector::correlate
