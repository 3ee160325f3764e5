#include "common/device_name.h"

#include <cctype>

namespace regwatch {

namespace {

// The prefixes of names that end in the device's MAC.
constexpr std::string_view kMacNamePrefixes[] = {"SEP", "ATA", "BAT", "AN", "VGC"};

}  // namespace

std::string mac_from_device_name(std::string_view name) {
  for (auto prefix : kMacNamePrefixes) {
    if (name.size() != prefix.size() + 12 || !name.starts_with(prefix)) continue;
    auto hex = name.substr(prefix.size());
    std::string mac;
    mac.reserve(17);
    for (size_t i = 0; i < hex.size(); ++i) {
      auto c = static_cast<unsigned char>(hex[i]);
      if (!std::isxdigit(c)) return {};
      if (i > 0 && i % 2 == 0) mac.push_back(':');
      mac.push_back(static_cast<char>(std::tolower(c)));
    }
    return mac;
  }
  return {};
}

std::string phone_device_name(std::string_view mac) {
  std::string name = "SEP";
  for (const char c : mac) {
    if (c == ':' || c == '.' || c == '-') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name.size() == 15 ? name : "";
}

std::vector<std::string> device_names_with_mac(std::string_view mac) {
  const std::string sep_name = phone_device_name(mac);  // SEP and the 12 digits, or empty
  if (sep_name.empty()) return {};
  const std::string_view digits = std::string_view(sep_name).substr(3);
  std::vector<std::string> names;
  for (auto prefix : kMacNamePrefixes) names.push_back(std::string(prefix).append(digits));
  return names;
}

std::string folded_device_name(std::string_view device_name) {
  std::string folded(device_name);
  for (char& c : folded) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return folded;
}

}  // namespace regwatch
