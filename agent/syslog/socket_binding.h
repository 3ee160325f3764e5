#pragma once
// Opening the listener's sockets and naming their peers: the only code here
// that speaks getaddrinfo/bind/inet_ntop.
// Threads: free functions with no shared state; safe from any thread.
#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <string_view>

#include "agent/syslog/socket_fd.h"
#include "common/net_address.h"
#include "common/result.h"

namespace regwatch::agent::syslog {

enum class SocketKind { kUdp, kTcp };

// A non-blocking, close-on-exec socket bound to `endpoint` (IPv4 or IPv6, port 0
// for "any free port") and, for TCP, listening. The error message names what
// failed: "cannot listen for syslog on udp 127.0.0.1:5514: Address already in use".
Result<SocketFd> open_bound_socket(const Endpoint& endpoint, SocketKind kind);

// The local port a bound socket got (what port 0 turned into); 0 on error.
uint16_t bound_port(int fd);

// Buffer big enough for any address format_peer_ip writes.
using PeerIpBuffer = std::array<char, INET6_ADDRSTRLEN>;

// The sender's address as text ("10.1.2.3", "2001:db8::1"); an IPv4-mapped IPv6
// address (a dual-stack socket's IPv4 peer) is written as plain IPv4 so one
// device has one name. Returns a view into `out`; "" for an unknown family.
std::string_view format_peer_ip(const sockaddr_storage& address, PeerIpBuffer& out);

}  // namespace regwatch::agent::syslog
