#pragma once
// Which interface an LLDP neighbour hangs off. LLDP-MIB indexes neighbours by lldpLocPortNum,
// and lldpLocPortId is whatever the switch advertises as its port id: an interface name on most
// Cisco switches ("Gi0/1" on a 3560, "Ethernet1/1" on NX-OS), but "port-001" on IOS-XE 17
// industrial switches (IE-3200), which names no interface. Phones must be placed at the
// interface (ifIndex and ifName) that link and error events name, or their timelines never meet.
// Pure: the poller fetches the columns and hands them in.
#include <cstdint>
#include <map>
#include <string>

namespace regwatch::agent::snmp {

// LLDP-MIB lldpLocPortTable, one row (INDEX lldpLocPortNum).
struct LldpLocalPort {
  uint32_t port_num = 0;
  uint32_t id_subtype = 0;  // lldpLocPortIdSubtype: 1 interfaceAlias, 3 macAddress,
                            // 5 interfaceName, 7 local, ... 0 when the device has no column
  std::string id;           // lldpLocPortId
  std::string description;  // lldpLocPortDesc (often ifDescr)
};

// What IF-MIB says about interfaces, each keyed by ifIndex.
struct InterfaceNames {
  std::map<uint32_t, std::string> name;         // ifName
  std::map<uint32_t, std::string> description;  // ifDescr
  std::map<uint32_t, std::string> alias;        // ifAlias
};

struct LocalInterface {
  uint32_t if_index = 0;  // 0: no interface matched
  std::string name;       // ifName when matched, else lldpLocPortId as advertised
};

// In order, the first that matches one interface wins:
//   1. lldpLocPortId (unless a MAC or network address) equals an ifName, then an ifDescr;
//   2. lldpLocPortDesc equals an ifDescr, then an ifName;
//   3. lldpLocPortNum is an ifIndex the device has (Cisco IOS-XE 17 and NX-OS number LLDP ports
//      by ifIndex; IOS 12.2/15 number them 1..n, which is why names are tried first);
//   4. lldpLocPortId equals an ifAlias (operator text: last, and only when unique).
// Otherwise the neighbour keeps the advertised id and if_index 0.
LocalInterface resolve_lldp_local_port(const LldpLocalPort& port, const InterfaceNames& interfaces);

}  // namespace regwatch::agent::snmp
