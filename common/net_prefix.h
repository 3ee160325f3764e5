#pragma once
// An address or a subnet as configs write them ("10.1.2.3", "10.1.0.0/16", "2001:db8::/32",
// "::1"), and whether an address falls in it. IPv4 and IPv6 never match each other; the
// listeners already give IPv4-mapped IPv6 peers as plain IPv4 text.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace regwatch {

class NetPrefix {
 public:
  // "ADDRESS" (a single host: /32 or /128) or "ADDRESS/LENGTH". Error code "bad_prefix"
  // with a message naming the text, for an unparsable address, a length out of range, or
  // host bits set below the length ("10.1.2.3/16": almost always a typo for a host or for
  // 10.1.0.0/16, so it is refused rather than guessed).
  static Result<NetPrefix> parse(std::string_view text);

  // True when `address` (an IP literal) lies in the prefix; false for anything else,
  // including text that is not an address.
  bool contains(std::string_view address) const;

  // As written canonically: "10.1.0.0/16", "2001:db8::/32", "10.1.2.3" for a single host.
  std::string to_string() const;

 private:
  bool v6_ = false;
  std::array<uint8_t, 16> bytes_{};  // network order; IPv4 uses the first 4
  unsigned length_ = 0;              // prefix length in bits
};

// An IP literal's bytes: 4 for IPv4, 16 for IPv6, 0 when `text` is not an address.
size_t parse_ip_literal(std::string_view text, std::array<uint8_t, 16>& bytes);

}  // namespace regwatch
