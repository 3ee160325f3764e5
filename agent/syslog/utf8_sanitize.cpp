#include "agent/syslog/utf8_sanitize.h"

#include "common/utf8.h"

namespace regwatch::agent::syslog {
bool sanitize_utf8(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  bool valid = true;
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      if (c == 0) {  // NUL would cut C strings downstream
        out += "\\x00";
        valid = false;
      } else {
        out.push_back(static_cast<char>(c));
      }
      ++i;
      continue;
    }
    if (size_t n = utf8_sequence_length(in, i)) {
      out.append(in.substr(i, n));
      i += n;
      continue;
    }
    valid = false;
    out += "\\x";
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
    ++i;
  }
  return valid;
}

std::string_view utf8_prefix(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = max_bytes;
  // Back off over continuation bytes (10xxxxxx) to the start of the character cut in two.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace regwatch::agent::syslog
