#include "common/bind_error.h"

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <system_error>

namespace regwatch {
namespace {

constexpr unsigned kCapNetBindService = 10;  // linux/capability.h

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

uint16_t unprivileged_port_start() {
  const std::string text = read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data() || value > 65535)
    return kDefaultUnprivilegedPortStart;
  return static_cast<uint16_t>(value);
}

std::string permission_text(uint16_t unprivileged_start) {
  return "permission denied: ports below " + std::to_string(unprivileged_start) +
         " need root or CAP_NET_BIND_SERVICE";
}

}  // namespace

std::string bind_error_text(int error, uint16_t port, uint16_t unprivileged_start) {
  switch (error) {
    case EACCES:
      if (port != 0 && port < unprivileged_start) return permission_text(unprivileged_start);
      return "permission denied";
    case EADDRINUSE: return "address in use (another process listens there?)";
    case EADDRNOTAVAIL: return "not an address of this host";
    default: return std::system_category().message(error);
  }
}

std::optional<std::string> privileged_port_refusal(uint16_t port, bool has_net_bind_service,
                                                   uint16_t unprivileged_start) {
  if (port == 0 || port >= unprivileged_start || has_net_bind_service) return std::nullopt;
  return permission_text(unprivileged_start);
}

std::optional<std::string> privileged_port_refusal(uint16_t port) {
  const uint16_t start = unprivileged_port_start();
  if (port == 0 || port >= start) return std::nullopt;  // no need to read /proc/self/status
  return privileged_port_refusal(
      port, effective_capability(read_file("/proc/self/status"), kCapNetBindService), start);
}

bool effective_capability(std::string_view proc_status, unsigned capability) {
  constexpr std::string_view kKey = "CapEff:";
  size_t at = proc_status.find(kKey);
  while (at != std::string_view::npos && at != 0 && proc_status[at - 1] != '\n')
    at = proc_status.find(kKey, at + 1);
  if (at == std::string_view::npos || capability >= 64) return false;
  std::string_view rest = proc_status.substr(at + kKey.size());
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  uint64_t mask = 0;
  const auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), mask, 16);
  if (error != std::errc() || end == rest.data()) return false;
  return (mask >> capability) & 1U;
}

}  // namespace regwatch
