#pragma once
// How a host is named in scopes, labels and reports: "UCM-SUB1.voice.example.net" and
// "ucm-sub1" are one node, so host names lose their domain and case; an address names
// itself and is kept whole.
#include <algorithm>
#include <cctype>
#include <string>

#include "common/ascii_case.h"

namespace regwatch {

inline std::string short_host(const std::string& name) {
  const bool address =
      name.find(':') != std::string::npos || std::all_of(name.begin(), name.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
      });
  return ascii_lower(address ? name : name.substr(0, name.find('.')));
}

}  // namespace regwatch
