#include "common/net_prefix.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace regwatch {

size_t parse_ip_literal(std::string_view text, std::array<uint8_t, 16>& bytes) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return 0;
  const std::string copy(text);
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    std::memcpy(bytes.data(), &v4, 4);
    return 4;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1) {
    std::memcpy(bytes.data(), &v6, 16);
    return 16;
  }
  return 0;
}

namespace {

// Whether the first `length` bits of a and b agree.
bool same_prefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b,
                 unsigned length) {
  const unsigned whole = length / 8;
  if (std::memcmp(a.data(), b.data(), whole) != 0) return false;
  const unsigned rest = length % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFFu << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

Result<NetPrefix> NetPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  const std::string_view address = text.substr(0, slash);
  NetPrefix prefix;
  const size_t size = parse_ip_literal(address, prefix.bytes_);
  if (size == 0) {
    return make_error("bad_prefix", "\"" + std::string(text) +
                                        "\" is not an IP address or subnet (e.g. 10.1.2.3, "
                                        "10.1.0.0/16, 2001:db8::/32)");
  }
  prefix.v6_ = size == 16;
  const unsigned max_length = prefix.v6_ ? 128 : 32;
  prefix.length_ = max_length;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    unsigned length = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
        length > max_length) {
      return make_error("bad_prefix", "\"" + std::string(text) +
                                          "\": the prefix length must be 0.." +
                                          std::to_string(max_length));
    }
    prefix.length_ = length;
  }
  std::array<uint8_t, 16> network{};
  std::memcpy(network.data(), prefix.bytes_.data(), size);
  for (unsigned bit = prefix.length_; bit < max_length; ++bit) {
    network[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
  if (network != prefix.bytes_) {
    NetPrefix meant = prefix;
    meant.bytes_ = network;
    return make_error("bad_prefix", "\"" + std::string(text) +
                                        "\" has host bits set below its length: write the "
                                        "network (" +
                                        meant.to_string() + ") or a single host (" +
                                        std::string(address) + ")");
  }
  return prefix;
}

bool NetPrefix::contains(std::string_view address) const {
  std::array<uint8_t, 16> bytes{};
  const size_t size = parse_ip_literal(address, bytes);
  if (size != (v6_ ? 16u : 4u)) return false;
  return same_prefix(bytes, bytes_, length_);
}

std::string NetPrefix::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), text, sizeof(text));
  const unsigned max_length = v6_ ? 128 : 32;
  if (length_ == max_length) return text;
  return std::string(text) + "/" + std::to_string(length_);
}

}  // namespace regwatch
