#pragma once
// What correlation produces: an incident (a burst of phone drops in one scope)
// with its ranked causes and the evidence behind each. Plain data.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "regwatch/v1/incident.pb.h"

namespace regwatch::collector::correlate {

// Where a burst happened. type: cluster, cm_node, switch, module, vlan, subnet, tftp_server.
struct Scope {
  std::string type;
  std::string name;
  auto operator<=>(const Scope&) const = default;
};

struct Cause {
  std::string kind;         // cm_cpu, cm_slow, cm_restart, heartbeat_low, switch_cpu, nic_errors,
                            // link_down, module_failure, poe_fault, planned_change, boot_loop,
                            // tftp_unavailable, security, config, unknown
  std::string subject;      // the host, interface or node
  double score = 0;         // 0..1, best first
  std::string explanation;  // plain language, with the numbers
  std::string remediation;  // what an experienced voice engineer checks first
  std::vector<int64_t> evidence;  // stored event ids
  // The scopes it explains, narrowest first (a stack member: its module; a CM node's CPU: the
  // node; a port: its module, then its switch); empty when it names no place (a reason mix).
  // What scope_choice.h picks the incident's scope by; not part of the incident's JSON.
  std::vector<Scope> scopes;
};

// The incident's phones stuck in their boot chain by one rule (common/boot_rules.h), as their
// drops' latest boot_stalled reports say.
struct BootStallCount {
  uint32_t phones = 0;
  int64_t since_us = 0;                     // the earliest stage_since_us (else first report)
  std::map<std::string, uint32_t> servers;  // the TFTP servers they asked -> phones
  std::vector<int64_t> evidence;            // the boot_stalled reports' event ids
};

struct Incident {
  std::string id;  // stable: scope and first drop time
  // open or resolved (correlation never withdraws: the store does): resolved when
  // recovered_fraction of its phones registered again, or when quiet_s passed after its last drop
  // (by the latest event known, or the collector's clock)
  v1::IncidentState state = v1::INCIDENT_STATE_UNSPECIFIED;
  std::string incident_class;  // infrastructure, planned, security, config, storm
  Scope scope;                 // chosen by choose_scope() (scope_choice.h)
  // The other scopes whose bursts hold exactly these dropped phones and no phone that stayed up
  // (every phone known there dropped), narrow to broad: "also all of subnet 10.88.3.0/24".
  std::vector<Scope> also_scopes;
  int64_t start_us = 0;                               // first drop
  int64_t end_us = 0;                                 // last drop (or recovery when resolved)
  std::vector<std::string> phones;                    // distinct, sorted
  std::map<std::string, uint32_t> phones_by_cm;       // where they were registered
  std::map<std::string, uint32_t> phones_by_switch;   // and attached
  std::map<std::string, uint32_t> phones_by_cluster;  // their CUCM cluster (ClusterID)
  std::map<int32_t, uint32_t> reasons;                // unregistration reason code -> phones
  // Registration-failure codes are another table (13 is DirectoryNumberMismatch
  // there, KeepAliveTimeout above): rejected phones are counted apart.
  std::map<int32_t, uint32_t> rejection_reasons;
  // Phones whose drop came with no CUCM reason code but with the phone's own trust failure
  // (phone_auth_failed: its signed config or trust list did not authenticate): security class.
  uint32_t phone_auth_failures = 0;
  // Phones whose drop holds a boot_stalled report, by its rule (config_loop, ...): their class is
  // the rule's, whatever reason code the drop began with (the stall says why they stay down).
  std::map<std::string, BootStallCount> boot_stalls;
  // The drops' event ids by reason class (network, planned, security, config, storm, other):
  // the evidence of a cause that the reason codes themselves decide.
  std::map<std::string, std::vector<int64_t>> drop_evidence_by_class;
  std::vector<std::string> flapping;  // phones that dropped 3 times or more
  uint32_t recovered = 0;             // phones registered again after their last drop in the burst
  std::vector<std::string> still_down;  // the others: not registered again (as far as known)
  std::vector<Cause> causes;            // best first
  std::vector<int64_t> drop_evidence;   // the drop events' ids
};

}  // namespace regwatch::collector::correlate
