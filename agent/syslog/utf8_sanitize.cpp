#include "agent/syslog/utf8_sanitize.h"

namespace regwatch::agent::syslog {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid.
size_t valid_sequence(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
  }
  return n;
}

}  // namespace

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
    if (size_t n = valid_sequence(in, i)) {
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
