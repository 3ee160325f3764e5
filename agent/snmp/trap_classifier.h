#pragma once
// What a received trap means, as one event. Pure: the receiver decodes the
// PDU into a TrapMessage (v1 traps already converted to a v2 trap OID as RFC
// 3584 says), this gives it the same kinds as syslog where the meaning is the
// same (link_down, link_up, stack_member_removed, poe_fault), and keeps any
// other trap as snmp_trap_other with its varbinds as text.
#include <cstdint>
#include <string>
#include <vector>

#include "agent/snmp/snmp_client.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::snmp {

struct TrapMessage {
  std::string version;  // "1", "2c", "3"
  bool inform = false;
  std::string sender;         // the trap's origin: its stated address, else the peer's
  std::string peer;           // the UDP source: the device, or a relay forwarding for it
  std::string stated;         // the address the trap states for its origin (v1 agent-addr,
                              // snmpTrapAddress.0); "" when it states none
  std::string security_name;  // v3 user
  Oid trap_oid;
  std::vector<VarBind> varbinds;  // without sysUpTime.0 and snmpTrapOID.0
};

// RFC 3584 section 3.1: a v1 trap's OID from enterprise, generic and specific.
Oid v1_trap_oid(const Oid& enterprise, long generic, long specific);

std::string varbind_text(const VarBind& bind);

regwatch::v1::Event classify_trap(const TrapMessage& trap, int64_t receive_time_us);

}  // namespace regwatch::agent::snmp
