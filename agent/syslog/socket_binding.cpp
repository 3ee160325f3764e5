#include "agent/syslog/socket_binding.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <system_error>

#include "common/bind_error.h"

namespace regwatch::agent::syslog {
namespace {

struct AddrinfoDeleter {
  void operator()(addrinfo* list) const { freeaddrinfo(list); }
};
using AddrinfoList = std::unique_ptr<addrinfo, AddrinfoDeleter>;

Error listen_error(const Endpoint& endpoint, SocketKind kind, const std::string& reason) {
  return make_error("listen_failed", "cannot listen for syslog on " +
                                         std::string(kind == SocketKind::kUdp ? "udp " : "tcp ") +
                                         endpoint.to_string() + ": " + reason);
}

std::string errno_text(int error) {
  return std::system_category().message(error);
}

}  // namespace

Result<SocketFd> open_bound_socket(const Endpoint& endpoint, SocketKind kind) {
  const int type = kind == SocketKind::kUdp ? SOCK_DGRAM : SOCK_STREAM;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = type;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* raw = nullptr;
  const std::string port = std::to_string(endpoint.port);
  if (int rc = getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &raw); rc != 0) {
    return listen_error(endpoint, kind, gai_strerror(rc));
  }
  AddrinfoList addresses(raw);

  const addrinfo& address = *addresses;  // getaddrinfo succeeded: at least one
  SocketFd socket_fd(::socket(address.ai_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!socket_fd.valid()) return listen_error(endpoint, kind, errno_text(errno));

  if (kind == SocketKind::kTcp) {
    const int on = 1;
    // Lets a restarted agent rebind while old connections sit in TIME_WAIT; on
    // Linux it does not allow two listeners on one TCP port. (Not set on UDP,
    // where it would let a second process share the port silently.)
    setsockopt(socket_fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  }
  if (::bind(socket_fd.get(), address.ai_addr, address.ai_addrlen) != 0) {
    return listen_error(endpoint, kind, bind_error_text(errno, endpoint.port));
  }
  if (kind == SocketKind::kTcp && ::listen(socket_fd.get(), SOMAXCONN) != 0) {
    return listen_error(endpoint, kind, errno_text(errno));
  }
  return socket_fd;
}

uint16_t bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  if (address.ss_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, &address, sizeof(v4));
    return ntohs(v4.sin_port);
  }
  if (address.ss_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, &address, sizeof(v6));
    return ntohs(v6.sin6_port);
  }
  return 0;
}

std::string_view format_peer_ip(const sockaddr_storage& address, PeerIpBuffer& out) {
  const char* written = nullptr;
  if (address.ss_family == AF_INET) {
    sockaddr_in v4{};
    std::memcpy(&v4, &address, sizeof(v4));
    written = inet_ntop(AF_INET, &v4.sin_addr, out.data(), out.size());
  } else if (address.ss_family == AF_INET6) {
    sockaddr_in6 v6{};
    std::memcpy(&v6, &address, sizeof(v6));
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      written = inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], out.data(), out.size());
    } else {
      written = inet_ntop(AF_INET6, &v6.sin6_addr, out.data(), out.size());
    }
  }
  return written == nullptr ? std::string_view() : std::string_view(written);
}

}  // namespace regwatch::agent::syslog
