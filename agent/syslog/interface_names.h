#pragma once
// Finds the interface a syslog message names ("Interface Gi1/0/16", "port Ethernet1/43",
// "TenGigE0/2/0/4,") in free text, so every line about a port lands on that port's timeline,
// typed or not. Pure.
//
// A name is a known interface type (long form any case: GigabitEthernet, Ethernet,
// port-channel, TenGigE, Vlan...; IOS/NX-OS short form as the device writes it: Gi, Fa, Te,
// Eth, Po...) immediately followed by its number (1/0/16, 0/2/0/4, 10, 0/1.100, 0/0/0:0,
// 0/RP0/CPU0/0). It must stand alone: not inside a longer word or an ACL name ("list
// Vlan10-in", "ACL_Gi1/0/1"), and it must end in a digit. IP addresses, MACs and the bare word
// "Interface" are no names.
#include <string_view>

namespace regwatch::agent::syslog {

// The first interface name in the text, as written there; "" if none.
std::string_view find_interface_name(std::string_view text);

}  // namespace regwatch::agent::syslog
