#include "agent/syslog/interface_names.h"

#include <array>
#include <cctype>

namespace regwatch::agent::syslog {
namespace {

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

// Long forms, matched in any case (NX-OS writes "port-channel10", IOS "Port-channel10").
// Longer names first where one is a prefix of another (TenGigabitEthernet before TenGigE).
constexpr std::array<std::string_view, 27> kLongTypes = {"TwentyFiveGigabitEthernet",
                                                         "TwentyFiveGigE",
                                                         "HundredGigabitEthernet",
                                                         "HundredGigE",
                                                         "FortyGigabitEthernet",
                                                         "FortyGigE",
                                                         "TenGigabitEthernet",
                                                         "TenGigE",
                                                         "TwoGigabitEthernet",
                                                         "FiveGigabitEthernet",
                                                         "AppGigabitEthernet",
                                                         "GigabitEthernet",
                                                         "FastEthernet",
                                                         "Ethernet",
                                                         "Port-channel",
                                                         "Bundle-Ether",
                                                         "MgmtEth",
                                                         "mgmt",
                                                         "Vlan",
                                                         "Loopback",
                                                         "Tunnel",
                                                         "Serial",
                                                         "BDI",
                                                         "nve",
                                                         "Dialer",
                                                         "Virtual-Access",
                                                         "Multilink"};

// Short forms, matched as the device writes them (capitalised): lower-case two-letter words
// ("te", "se", "po") are too common in free text to take as interface types.
constexpr std::array<std::string_view, 13> kShortTypes = {
    "Gi", "Fa", "Te", "Tw", "Twe", "Fo", "Hu", "Eth", "Po", "Vl", "Lo", "Tu", "BE"};

bool iequal_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

// The length of the interface type at the start of `text` when a digit follows it; 0 if none.
size_t type_length(std::string_view text) {
  size_t best = 0;
  for (const std::string_view type : kLongTypes) {
    if (type.size() > best && text.size() > type.size() && iequal_prefix(text, type) &&
        is_digit(text[type.size()]))
      best = type.size();
  }
  for (const std::string_view type : kShortTypes) {
    if (type.size() > best && text.size() > type.size() && text.starts_with(type) &&
        is_digit(text[type.size()]))
      best = type.size();
  }
  return best;
}

// What may stand right before a name: the start, a space, or punctuation that is not part of
// a word or an ACL name ('-', '_', '/', '.' are).
bool opens_name(std::string_view text, size_t at) {
  if (at == 0) return true;
  const char c = text[at - 1];
  return c == ' ' || c == '\t' || c == '(' || c == '[' || c == ',' || c == ':' || c == '=' ||
         c == '"' || c == '\'';
}

// What may follow a name: the end, a space or closing punctuation, not '-' or '_' (an ACL or
// object name such as "Vlan10-in").
bool closes_name(std::string_view text, size_t at) {
  if (at == text.size()) return true;
  const char c = text[at];
  return c == ' ' || c == '\t' || c == ',' || c == ';' || c == ':' || c == ')' || c == ']' ||
         c == '.' || c == '"' || c == '\'' || c == '\r' || c == '\n';
}

}  // namespace

std::string_view find_interface_name(std::string_view text) {
  for (size_t at = 0; at < text.size(); ++at) {
    if (!std::isalpha(static_cast<unsigned char>(text[at])) || !opens_name(text, at)) continue;
    const size_t type = type_length(text.substr(at));
    if (type == 0) continue;
    // The number: digits, '/', and the '.' / ':' of sub-interfaces and channels; IOS-XR
    // locations add letters after a '/' (MgmtEth0/RP0/CPU0/0).
    size_t end = at + type;
    while (end < text.size() &&
           (is_alnum(text[end]) || text[end] == '/' || text[end] == '.' || text[end] == ':'))
      ++end;
    // Trailing separators belong to the sentence ("Gi1/0/20:", "Ethernet1/33."), not the name.
    while (end > at + type && !is_alnum(text[end - 1])) --end;
    if (!is_digit(text[end - 1]) || !closes_name(text, end)) continue;
    return text.substr(at, end - at);
  }
  return {};
}

}  // namespace regwatch::agent::syslog
