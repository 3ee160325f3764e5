#include "agent/snmp/trap_sender_names.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <set>

#include "common/net_address.h"

namespace regwatch::agent::snmp {
namespace {

// The host's addresses as a trap's source would print them: itself when it is a literal.
std::vector<std::string> addresses_of(const std::string& host) {
  in6_addr any{};
  if (inet_pton(AF_INET, host.c_str(), &any) == 1 || inet_pton(AF_INET6, host.c_str(), &any) == 1)
    return {host};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return {};
  std::vector<std::string> out;
  for (const addrinfo* a = found; a; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        a->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (inet_ntop(a->ai_family, raw, text, sizeof text)) out.emplace_back(text);
  }
  freeaddrinfo(found);
  return out;
}

}  // namespace

TrapSenderNames::TrapSenderNames(const std::vector<std::pair<std::string, std::string>>& targets) {
  std::map<std::string, std::set<std::string>> names_at;
  std::map<std::string, std::string> host_of_name;
  for (const auto& [name, address] : targets) {
    auto endpoint = parse_endpoint(address);
    const std::string host = endpoint.ok() ? endpoint->host : address;
    host_of_name[name] = host;
    const auto addresses = addresses_of(host);
    if (addresses.empty()) {
      unnamed_.push_back("target " + name + ": " + host + " does not resolve; its traps are " +
                         "labelled by their source address");
      continue;
    }
    for (const auto& ip : addresses) names_at[ip].insert(name);
  }
  for (const auto& [ip, names] : names_at) {
    if (names.size() == 1) {
      by_address_[ip] = {*names.begin(), host_of_name[*names.begin()]};
      continue;
    }
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    unnamed_.push_back("targets " + list + " share " + ip + "; traps from it are labelled " + ip);
  }
}

std::optional<std::string> TrapSenderNames::name_of(const std::string& sender_ip) const {
  const auto it = by_address_.find(sender_ip);
  if (it == by_address_.end()) return std::nullopt;
  return it->second.name;
}

std::string TrapSenderNames::polled_host_of(const std::string& sender_ip) const {
  const auto it = by_address_.find(sender_ip);
  return it == by_address_.end() ? sender_ip : it->second.host;
}

}  // namespace regwatch::agent::snmp
