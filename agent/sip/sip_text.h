#pragma once
// The text rules the SIP parser (sip_message.cpp) and the TCP framer (sip_framer.cpp) share:
// case-blind compares, trimming, RFC 3261 token characters, and where a message's head ends.
// One place, so that the framer cuts a message exactly where the parser reads its head to end.
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace regwatch::agent::sip {

constexpr bool is_space(char c) {
  return c == ' ' || c == '\t';
}

constexpr char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

inline bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// Without the spaces, tabs and CRs around it.
inline std::string_view trim(std::string_view text) {
  while (!text.empty() && (is_space(text.front()) || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (is_space(text.back()) || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

// RFC 3261 token characters (method names, parameter names).
inline bool is_token_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-.!%*_+`'~").find(c) != std::string_view::npos;
}

// The end of the head: the index past the blank line (CRLF CRLF, or bare LFs as some stacks
// send), or npos when not within limit bytes.
inline size_t find_head_end(std::string_view text, size_t limit) {
  const std::string_view window = text.substr(0, std::min(text.size(), limit));
  for (size_t i = window.find('\n'); i != std::string_view::npos; i = window.find('\n', i + 1)) {
    size_t next = i + 1;
    if (next < window.size() && window[next] == '\r') ++next;
    if (next < window.size() && window[next] == '\n') return next + 1;
  }
  return std::string_view::npos;
}

}  // namespace regwatch::agent::sip
