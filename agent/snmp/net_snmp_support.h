#pragma once
// What the SNMP client and the trap receiver share of net-snmp: the one-time
// library initialisation (no config or MIB files read, nothing persisted) and
// the conversion of a varbind into our VarBind. Internal to agent/snmp.
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include <memory>

#include "agent/snmp/snmp_client.h"

namespace regwatch::agent::snmp {

void init_net_snmp();
VarBind to_varbind(const netsnmp_variable_list* v);

struct PduFree {
  void operator()(netsnmp_pdu* pdu) const { snmp_free_pdu(pdu); }
};
using PduPtr = std::unique_ptr<netsnmp_pdu, PduFree>;

}  // namespace regwatch::agent::snmp
