#pragma once
// One TFTP packet (RFC 1350; options RFC 2347/2348/2349: blksize, tsize, timeout) decoded from
// a UDP payload. Pure: no I/O; never throws on packet data. Errors are named ("truncated",
// "bad_opcode", "unterminated_string", ...) and counted by the caller.
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace regwatch::agent::boot {

enum class TftpOpcode : uint16_t {
  kReadRequest = 1,
  kWriteRequest = 2,
  kData = 3,
  kAck = 4,
  kError = 5,
  kOptionAck = 6,
};
std::string_view tftp_opcode_name(TftpOpcode opcode);  // "rrq", "wrq", "data", "ack", ...

struct TftpPacket {
  TftpOpcode opcode = TftpOpcode::kReadRequest;
  std::string file;  // RRQ/WRQ
  std::string mode;  // RRQ/WRQ: "octet", "netascii" (as sent)
  // RRQ/WRQ and OACK options as sent, in order (names as written; the analyzer lowers them).
  std::vector<std::pair<std::string, std::string>> options;
  uint16_t block = 0;             // DATA/ACK
  std::span<const uint8_t> data;  // DATA: the block's bytes (points into the payload)
  uint16_t error_code = 0;        // ERROR
  std::string error_message;      // ERROR (a missing terminator is tolerated: truncated text)
};

Result<TftpPacket> parse_tftp(std::span<const uint8_t> payload);

}  // namespace regwatch::agent::boot
