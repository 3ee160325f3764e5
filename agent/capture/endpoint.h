#pragma once
// One end of a conversation, address and port, and the hash the maps keyed by it use: the
// dispatcher's run-time claims and the TFTP analyzer's transfers (by the client's end).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "agent/capture/packet_decoder.h"

namespace regwatch::agent::capture {

struct Endpoint {
  IpAddress address;
  uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
};

struct EndpointHash {
  size_t operator()(const Endpoint& e) const noexcept {
    uint64_t words[2];
    std::memcpy(words, e.address.bytes.data(), 16);
    uint64_t h = (words[0] * 0x9e3779b97f4a7c15ULL) ^ (words[1] + e.port);
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    return static_cast<size_t>(h ^ (h >> 32));
  }
};

}  // namespace regwatch::agent::capture
