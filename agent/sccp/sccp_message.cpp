#include "agent/sccp/sccp_message.h"

#include <algorithm>

namespace regwatch::agent::sccp {
namespace {

// Bounds-checked little-endian reader over one payload.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  size_t remaining() const { return bytes_.size() - pos_; }
  bool u32(uint32_t& out) {
    if (remaining() < 4) return false;
    out = read_le32(bytes_.data() + pos_);
    pos_ += 4;
    return true;
  }
  bool u8(uint8_t& out) {
    if (remaining() < 1) return false;
    out = bytes_[pos_++];
    return true;
  }
  bool skip(size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }
  // A fixed-size char array: text up to the first NUL, non-printable bytes escaped.
  bool chars(size_t n, std::string& out) {
    if (remaining() < n) return false;
    out.clear();
    for (size_t i = 0; i < n; ++i) {
      const uint8_t c = bytes_[pos_ + i];
      if (c == 0) break;
      if (c >= 0x20 && c < 0x7f) {
        out.push_back(static_cast<char>(c));
      } else {
        static const char* hex = "0123456789abcdef";
        out += "\\x";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0xf]);
      }
    }
    pos_ += n;
    return true;
  }
  bool ipv4_network_order(std::string& out) {
    if (remaining() < 4) return false;
    out = std::to_string(bytes_[pos_]) + "." + std::to_string(bytes_[pos_ + 1]) + "." +
          std::to_string(bytes_[pos_ + 2]) + "." + std::to_string(bytes_[pos_ + 3]);
    pos_ += 4;
    return true;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
};

Error truncated(uint32_t id) {
  const auto name = sccp_message_name(id);
  return Error{"truncated_" + std::string(name.empty() ? "message" : name),
               "SCCP payload shorter than its layout"};
}

}  // namespace

bool known_header_version(uint32_t version) {
  return version == 0 || (version >= 0x0A && version <= 0x16);
}

Result<std::optional<size_t>> sccp_pdu_size(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) return std::optional<size_t>();
  const uint32_t length = read_le32(bytes.data());
  if (length < 4 || length > kMaxPduSize - 8) {
    return make_error("bad_length",
                      "SCCP length field " + std::to_string(length) + " is impossible");
  }
  return std::optional<size_t>(size_t{length} + 8);
}

Result<SccpMessage> decode_sccp(std::span<const uint8_t> pdu) {
  auto size = sccp_pdu_size(pdu);
  if (!size.ok()) return size.error();
  if (!size->has_value() || pdu.size() < **size || **size < kHeaderSize) {
    return make_error("truncated_header", "an SCCP PDU needs its 12-byte header");
  }
  SccpMessage m;
  m.size = **size;
  m.header_version = read_le32(pdu.data() + 4);
  m.id = read_le32(pdu.data() + 8);
  Reader r(pdu.subspan(kHeaderSize, m.size - kHeaderSize));
  switch (m.id) {
    case kRegister: {
      uint32_t user_id = 0, max_streams = 0;
      if (!r.chars(16, m.device_name) || !r.u32(user_id) || !r.u32(m.instance) ||
          !r.ipv4_network_order(m.station_ip) || !r.u32(m.device_type) || !r.u32(max_streams)) {
        return truncated(m.id);
      }
      uint32_t active_streams = 0;
      uint8_t protocol = 0;
      if (r.u32(active_streams) && r.u8(protocol))
        m.protocol_version = protocol;  // newer layouts only
      break;
    }
    case kRegisterAck: {
      std::string date_template;
      if (!r.u32(m.keepalive_interval_s) || !r.chars(6, date_template) || !r.skip(2) ||
          !r.u32(m.secondary_keepalive_interval_s)) {
        return truncated(m.id);
      }
      break;
    }
    case kRegisterReject:
      // 32 bytes (Wireshark) or 33 (Asterisk); take what is there, up to 33.
      if (r.remaining() == 0) return truncated(m.id);
      r.chars(std::min<size_t>(r.remaining(), 33), m.text);
      break;
    case kUnregister: {
      uint32_t reason = 0;
      if (r.u32(reason)) m.code = reason;  // Asterisk-era phones send none
      break;
    }
    case kUnregisterAck:
    case kReset: {
      uint32_t value = 0;
      if (!r.u32(value)) return truncated(m.id);
      m.code = value;
      break;
    }
    case kAlarm: {
      uint32_t severity = 0;
      if (!r.u32(severity) || !r.chars(std::min<size_t>(r.remaining(), 80), m.text))
        return truncated(m.id);
      m.code = severity;
      break;
    }
    default: break;  // counted by id by the caller
  }
  return m;
}

}  // namespace regwatch::agent::sccp
