#pragma once
// Lower-casing for protocol text (enum names, host names, keywords): ASCII only, on purpose:
// locale rules have no place in identifiers.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace regwatch {

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

inline std::string ascii_upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace regwatch
