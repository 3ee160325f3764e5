#include "common/net_address.h"

#include <arpa/inet.h>

#include <charconv>

namespace regwatch {

std::string Endpoint::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<Endpoint> parse_endpoint(std::string_view text) {
  Endpoint endpoint;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error("bad_endpoint", "'" + std::string(text) + "': expected [IPv6]:PORT");
    }
    endpoint.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return make_error("bad_endpoint", "'" + std::string(text) + "': expected HOST:PORT");
    }
    if (text.substr(0, colon).find(':') != std::string_view::npos) {
      return make_error("bad_endpoint",
                        "'" + std::string(text) + "': write IPv6 addresses as [ADDR]:PORT");
    }
    endpoint.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return make_error("bad_endpoint", "'" + std::string(text) + "': port must be 0..65535");
  }
  endpoint.port = static_cast<uint16_t>(port);
  return endpoint;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "ip6-localhost") return true;
  in_addr v4{};
  std::string copy(host);
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6) != 0;
  }
  return false;
}

bool is_loopback_grpc_peer(std::string_view peer) {
  if (peer.starts_with("unix:")) return true;
  std::string_view rest;
  if (peer.starts_with("ipv4:")) {
    rest = peer.substr(5);
    auto colon = rest.rfind(':');
    return is_loopback_host(rest.substr(0, colon));
  }
  if (peer.starts_with("ipv6:")) {
    rest = peer.substr(5);
    if (rest.starts_with("%5B")) {  // URL-encoded brackets in some gRPC versions
      auto close = rest.find("%5D");
      return close != std::string_view::npos && is_loopback_host(rest.substr(3, close - 3));
    }
    if (rest.starts_with("[")) {
      auto close = rest.find(']');
      return close != std::string_view::npos && is_loopback_host(rest.substr(1, close - 1));
    }
  }
  return false;
}

}  // namespace regwatch
