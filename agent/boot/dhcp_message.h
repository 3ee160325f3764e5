#pragma once
// One BOOTP/DHCP message (RFC 2131, options RFC 2132; option 150 is Cisco's TFTP server list,
// RFC 5859) decoded from a UDP payload. Pure: no I/O; never throws on packet data.
//
// What is kept is what the boot chain needs: the header fields, the message type (53), the
// options a phone's lease is judged by (150, 66, 60, 51, 54, 50, 56, 12, 61), and the codes of
// every option present. Option overload (52) into sname/file is honoured. An option that is
// malformed (a length past the end, an option 150 whose length is not a multiple of 4) makes the
// message an error named by what was wrong ("truncated_header", "bad_magic_cookie",
// "truncated_option", "bad_option_150", ...), counted by the caller; a message without option 53
// is BOOTP (message_type 0), not an error.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

namespace regwatch::agent::boot {

enum class DhcpType : uint8_t {
  kNone = 0,  // BOOTP: no option 53
  kDiscover = 1,
  kOffer = 2,
  kRequest = 3,
  kDecline = 4,
  kAck = 5,
  kNak = 6,
  kRelease = 7,
  kInform = 8,
};
std::string_view dhcp_type_name(DhcpType type);  // "discover", ...; "bootp" for kNone; "type_N"

struct DhcpMessage {
  uint8_t op = 0;  // 1 request (client to server), 2 reply
  uint8_t htype = 0, hlen = 0, hops = 0;
  uint32_t xid = 0;
  uint16_t secs = 0;
  bool broadcast = false;  // flags' top bit
  std::array<uint8_t, 4> ciaddr{}, yiaddr{}, siaddr{}, giaddr{};
  std::array<uint8_t, 16> chaddr{};
  DhcpType type = DhcpType::kNone;
  std::optional<uint8_t> raw_type;  // option 53's byte as sent (types past 8 are kept here)
  std::vector<std::array<uint8_t, 4>> tftp_servers;    // option 150, in order
  std::string tftp_server_name;                        // option 66
  std::string vendor_class;                            // option 60
  std::string hostname;                                // option 12
  std::string server_message;                          // option 56
  std::optional<uint32_t> lease_time_s;                // option 51
  std::optional<std::array<uint8_t, 4>> server_id;     // option 54
  std::optional<std::array<uint8_t, 4>> requested_ip;  // option 50
  std::vector<uint8_t> client_id;                      // option 61
  std::vector<uint8_t> option_codes;                   // every option present, in order

  // chaddr as "00:17:94:3a:98:ba" when htype is Ethernet (1) and hlen 6, else its first hlen
  // bytes (at most 16) in the same form.
  std::string client_mac() const;
};

// A UDP payload (from or to port 67/68) as a DHCP message.
Result<DhcpMessage> parse_dhcp(std::span<const uint8_t> payload);

// "a.b.c.d"
std::string ipv4_text(const std::array<uint8_t, 4>& address);

}  // namespace regwatch::agent::boot
