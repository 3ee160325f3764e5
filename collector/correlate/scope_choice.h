#pragma once
// Which scope an incident is reported in (issue 16). Several scopes' bursts often hold the same
// dropped phones: a stack member whose phones are exactly one /24, a CM node whose phones are
// one subnet. The scope reported is then the one the top-ranked cause explains (a member's
// failure: its module; a CM node's CPU, slowness or restart: the node; a switch's CPU or uplink:
// the switch; a port fault: the narrowest physical scope holding the port); with no such cause,
// the physical before the logical (module, switch, then VLAN, subnet, then CM node, cluster,
// then the TFTP server stalled phones asked: a TFTP server that does not answer
// (tftp_unavailable) names its own scope, a config loop names none).
//
// This is the one place that rule lives. The correlator calls it for each incident; pages,
// `regwatch incident`, `regwatch explain` and the dashboard show the incident's scope and its
// also_scopes as chosen here, and never choose again. Pure functions, no state.
#include <string>
#include <string_view>
#include <vector>

#include "collector/correlate/incident.h"

namespace regwatch::collector::correlate {

// Narrow to broad, physical before logical: module 0, switch 1, vlan 2, subnet 3, cm_node 4,
// cluster 5, tftp_server 6 (a stalled phone's TFTP server); a type not known here comes last.
int scope_order(std::string_view type);

// The name of a switch module / stack member's scope, as both the correlator (from topology)
// and the cause ranker (from a stack member's removal) spell it: "sw-3f/2".
std::string module_scope_name(const std::string& switch_name, uint32_t module);

// holding: the scopes whose bursts hold the same dropped phones (not empty); causes: ranked, best
// first, each listing the scopes it explains (Cause::scopes). The first of the top cause's scopes
// that is among holding; else the first of holding in scope_order (then by name).
Scope choose_scope(const std::vector<Scope>& holding, const std::vector<Cause>& causes);

}  // namespace regwatch::collector::correlate
