#pragma once
// Why a listening socket could not be bound, in words an operator can act on. The one place of
// the rule, used at every bind (syslog listeners, the trap receiver, /metrics, the collector's
// gRPC and HTTP). The trap: a port below 1024 without the right fails with EACCES, which
// libraries that hide errno (gRPC, cpp-httplib, net-snmp) used to make us report as "address in
// use"; a daemon started as a plain user, or under systemd without
// AmbientCapabilities=CAP_NET_BIND_SERVICE, then sent the operator looking for another process.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace regwatch {

// Linux's default net.ipv4.ip_unprivileged_port_start.
inline constexpr uint16_t kDefaultUnprivilegedPortStart = 1024;

// The reason for a bind(2) of `port` that failed with errno `error`: EACCES on a port below
// unprivileged_start is "permission denied: ports below 1024 need root or CAP_NET_BIND_SERVICE";
// EADDRINUSE and EADDRNOTAVAIL say what to check; anything else is strerror's text.
std::string bind_error_text(int error, uint16_t port,
                            uint16_t unprivileged_start = kDefaultUnprivilegedPortStart);

// For libraries that hide errno: the refusal a bind of `port` meets (the EACCES text above), when
// the port is below unprivileged_start and this process lacks CAP_NET_BIND_SERVICE; nullopt when
// the bind failed for another reason.
std::optional<std::string> privileged_port_refusal(uint16_t port, bool has_net_bind_service,
                                                   uint16_t unprivileged_start);
// The same for this process: its effective capabilities (/proc/self/status) and this host's
// net.ipv4.ip_unprivileged_port_start (1024 when unreadable).
std::optional<std::string> privileged_port_refusal(uint16_t port);

// Whether the CapEff line of a /proc/<pid>/status text has `capability` (e.g. 10,
// CAP_NET_BIND_SERVICE); false when there is no such line.
bool effective_capability(std::string_view proc_status, unsigned capability);

}  // namespace regwatch
