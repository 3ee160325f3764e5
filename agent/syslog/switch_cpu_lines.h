#pragma once
// A switch's own CPU threshold messages, typed so the collector's switch_cpu cause fires for
// that switch: a switch whose CPU is pegged drops CDP, STP and PoE negotiation, and phones
// with it.
//   IOS / IOS-XE:  %SYS-1-CPURISINGTHRESHOLD: Threshold: Total CPU Utilization(Total/Intr):
//                  75%/100%, Top 3 processes(Pid/Util): 91/75%, 2/0%, 51/0%
//                  %SYS-1-CPUFALLINGTHRESHOLD: Threshold: Total CPU Utilization(Total/Intr)
//                  10%/0%.
// The mnemonic decides (any app: IOS-XE platforms log the same SYS mnemonics); the percent is
// the first "N%" after "Utilization" (the total, not the interrupt share or a process's).
// Pure.
#include <string_view>

#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::syslog {

// Sets cpu_high / cpu_normal with CpuLoad{role "switch", percent} and returns true when the
// mnemonic is a CPU threshold crossing; leaves the event alone and returns false otherwise.
bool classify_switch_cpu_line(std::string_view mnemonic, std::string_view text,
                              regwatch::v1::Event& event);

}  // namespace regwatch::agent::syslog
