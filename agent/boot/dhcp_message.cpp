#include "agent/boot/dhcp_message.h"

#include <algorithm>
#include <cstdio>

namespace regwatch::agent::boot {
namespace {

// RFC 2131 section 2: the fixed header, then the magic cookie, then options.
constexpr size_t kSnameOffset = 44;
constexpr size_t kSnameSize = 64;
constexpr size_t kFileOffset = 108;
constexpr size_t kFileSize = 128;
constexpr size_t kCookieOffset = 236;
constexpr size_t kOptionsOffset = 240;
constexpr uint32_t kMagicCookie = 0x63825363;

enum OptionCode : uint8_t {
  kPad = 0,
  kHostname = 12,
  kRequestedIp = 50,
  kLeaseTime = 51,
  kOverload = 52,
  kMessageType = 53,
  kServerId = 54,
  kServerMessage = 56,
  kVendorClass = 60,
  kClientId = 61,
  kTftpServerName = 66,
  kTftpServers = 150,
  kEnd = 255,
};

uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
std::array<uint8_t, 4> address_at(const uint8_t* p) {
  return {p[0], p[1], p[2], p[3]};
}

Error option_error(std::string code, uint8_t option, const std::string& what) {
  return make_error(std::move(code), "DHCP option " + std::to_string(option) + " " + what);
}

// The values of the options the boot chain reads, each the concatenation of every instance of
// its code (RFC 3396: a long option is split into several with the same code). The fixed-size
// ones are optional: present with a wrong length is an error, absent is not.
struct OptionValues {
  std::optional<std::vector<uint8_t>> type, lease, server_id, requested_ip, tftp_servers;
  std::vector<uint8_t> client_id;
  std::string tftp_server_name, vendor_class, hostname, server_message;
  uint8_t overload = 0;
};

void append(std::string& to, std::span<const uint8_t> value) {
  to.append(reinterpret_cast<const char*>(value.data()), value.size());
}
void append(std::vector<uint8_t>& to, std::span<const uint8_t> value) {
  to.insert(to.end(), value.begin(), value.end());
}
void append(std::optional<std::vector<uint8_t>>& to, std::span<const uint8_t> value) {
  append(to ? *to : to.emplace(), value);
}

void keep_option(uint8_t code, std::span<const uint8_t> value, OptionValues& values) {
  switch (code) {
    case kMessageType: append(values.type, value); break;
    case kLeaseTime: append(values.lease, value); break;
    case kServerId: append(values.server_id, value); break;
    case kRequestedIp: append(values.requested_ip, value); break;
    case kTftpServers: append(values.tftp_servers, value); break;
    case kClientId: append(values.client_id, value); break;
    case kTftpServerName: append(values.tftp_server_name, value); break;
    case kVendorClass: append(values.vendor_class, value); break;
    case kHostname: append(values.hostname, value); break;
    case kServerMessage: append(values.server_message, value); break;
    case kOverload:
      if (!value.empty()) values.overload = value[0];
      break;
    default: break;
  }
}

// Walks one option area (the options field, or file/sname when overloaded). Stops at END; an
// area that ends without END is accepted (many stacks pad with zeros or stop short).
std::optional<Error> walk_options(std::span<const uint8_t> area, OptionValues& values,
                                  std::vector<uint8_t>& codes) {
  size_t i = 0;
  while (i < area.size()) {
    const uint8_t code = area[i];
    if (code == kEnd) return std::nullopt;
    if (code == kPad) {
      ++i;
      continue;
    }
    if (i + 1 >= area.size())
      return option_error("truncated_option", code, "has no length byte before the end");
    const size_t length = area[i + 1];
    if (i + 2 + length > area.size()) {
      return option_error("truncated_option", code,
                          "says " + std::to_string(length) + " bytes, past the end of the message");
    }
    codes.push_back(code);
    keep_option(code, area.subspan(i + 2, length), values);
    i += 2 + length;
  }
  return std::nullopt;
}

// Trailing NULs: some clients send C strings (option 12 with its terminator).
std::string without_trailing_nuls(std::string text) {
  while (!text.empty() && text.back() == '\0') text.pop_back();
  return text;
}

std::optional<Error> check_fixed(const std::optional<std::vector<uint8_t>>& value, size_t size,
                                 uint8_t code) {
  if (value && value->size() != size) {
    return option_error(
        "bad_option_length", code,
        "is " + std::to_string(value->size()) + " bytes, not " + std::to_string(size));
  }
  return std::nullopt;
}

}  // namespace

std::string_view dhcp_type_name(DhcpType type) {
  switch (type) {
    case DhcpType::kNone: return "bootp";
    case DhcpType::kDiscover: return "discover";
    case DhcpType::kOffer: return "offer";
    case DhcpType::kRequest: return "request";
    case DhcpType::kDecline: return "decline";
    case DhcpType::kAck: return "ack";
    case DhcpType::kNak: return "nak";
    case DhcpType::kRelease: return "release";
    case DhcpType::kInform: return "inform";
  }
  // Types past 8 (RFC 4388's lease queries, RFC 6926's bulk queries) keep their number: the
  // names live in a table built once, so the view stays valid.
  static const std::array<std::string, 256> kNumbered = [] {
    std::array<std::string, 256> names;
    for (size_t i = 0; i < names.size(); ++i) names[i] = "type_" + std::to_string(i);
    return names;
  }();
  return kNumbered[static_cast<uint8_t>(type)];
}

std::string ipv4_text(const std::array<uint8_t, 4>& address) {
  return std::to_string(address[0]) + '.' + std::to_string(address[1]) + '.' +
         std::to_string(address[2]) + '.' + std::to_string(address[3]);
}

std::string DhcpMessage::client_mac() const {
  const size_t length = std::min<size_t>(hlen, chaddr.size());
  std::string text;
  text.reserve(length * 3);
  for (size_t i = 0; i < length; ++i) {
    char hex[4];
    std::snprintf(hex, sizeof hex, "%02x", chaddr[i]);
    if (i) text += ':';
    text += hex;
  }
  return text;
}

Result<DhcpMessage> parse_dhcp(std::span<const uint8_t> payload) {
  if (payload.size() < kOptionsOffset) {
    return make_error("truncated_header",
                      "DHCP message of " + std::to_string(payload.size()) +
                          " bytes, shorter than its 240-byte header and magic cookie");
  }
  const uint8_t* p = payload.data();
  if (be32(p + kCookieOffset) != kMagicCookie)
    return make_error("bad_magic_cookie", "DHCP message without the magic cookie 99.130.83.99");

  DhcpMessage message;
  message.op = p[0];
  message.htype = p[1];
  message.hlen = p[2];
  message.hops = p[3];
  message.xid = be32(p + 4);
  message.secs = be16(p + 8);
  message.broadcast = (p[10] & 0x80) != 0;
  message.ciaddr = address_at(p + 12);
  message.yiaddr = address_at(p + 16);
  message.siaddr = address_at(p + 20);
  message.giaddr = address_at(p + 24);
  std::copy(p + 28, p + 44, message.chaddr.begin());

  OptionValues values;
  if (auto error = walk_options(payload.subspan(kOptionsOffset), values, message.option_codes))
    return *error;
  // RFC 2131 4.1: with option 52, the file field holds options (1), sname does (2), or both (3),
  // read in that order after the options field.
  if (values.overload & 1) {
    if (auto error =
            walk_options(payload.subspan(kFileOffset, kFileSize), values, message.option_codes))
      return *error;
  }
  if (values.overload & 2) {
    if (auto error =
            walk_options(payload.subspan(kSnameOffset, kSnameSize), values, message.option_codes))
      return *error;
  }

  if (auto error = check_fixed(values.type, 1, kMessageType)) return *error;
  if (auto error = check_fixed(values.lease, 4, kLeaseTime)) return *error;
  if (auto error = check_fixed(values.server_id, 4, kServerId)) return *error;
  if (auto error = check_fixed(values.requested_ip, 4, kRequestedIp)) return *error;
  if (values.tftp_servers && values.tftp_servers->size() % 4 != 0) {
    return option_error("bad_option_150", kTftpServers,
                        "is " + std::to_string(values.tftp_servers->size()) +
                            " bytes, not a multiple of 4 (a list of IPv4 addresses)");
  }

  if (values.type) {
    message.raw_type = values.type->front();
    message.type = static_cast<DhcpType>(values.type->front());
  }
  if (values.lease) message.lease_time_s = be32(values.lease->data());
  if (values.server_id) message.server_id = address_at(values.server_id->data());
  if (values.requested_ip) message.requested_ip = address_at(values.requested_ip->data());
  if (values.tftp_servers) {
    for (size_t i = 0; i + 4 <= values.tftp_servers->size(); i += 4)
      message.tftp_servers.push_back(address_at(values.tftp_servers->data() + i));
  }
  message.tftp_server_name = without_trailing_nuls(std::move(values.tftp_server_name));
  message.vendor_class = without_trailing_nuls(std::move(values.vendor_class));
  message.hostname = without_trailing_nuls(std::move(values.hostname));
  message.server_message = without_trailing_nuls(std::move(values.server_message));
  message.client_id = std::move(values.client_id);
  return message;
}

}  // namespace regwatch::agent::boot
