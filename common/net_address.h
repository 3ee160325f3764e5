#pragma once
// HOST:PORT endpoints as flags and configs write them: "127.0.0.1:5514",
// "[::1]:7443", "localhost:7443".
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace regwatch {

struct Endpoint {
  std::string host;  // without brackets
  uint16_t port = 0;

  // "host:port", bracketing IPv6 literals; what gRPC and humans read.
  std::string to_string() const;
};

Result<Endpoint> parse_endpoint(std::string_view text);

// True for 127.0.0.0/8, ::1 and "localhost": the only hosts on which regwatch
// allows plaintext transport.
bool is_loopback_host(std::string_view host);

// gRPC's peer string ("ipv4:127.0.0.1:5555", "ipv6:[::1]:5555") -> loopback?
bool is_loopback_grpc_peer(std::string_view peer);

}  // namespace regwatch
