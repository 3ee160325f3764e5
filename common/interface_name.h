#pragma once
// How one switch port is named in different places: IOS spells it out in CDP/LLDP and
// IF-MIB ("GigabitEthernet1/0/7") and abbreviates it in some syslog messages
// (%ILPOWER: "Gi1/0/7"). Two names are the same port when their numbers are the same and one
// type is the start of the other, ignoring case ("Gi" of "GigabitEthernet", "Te" of
// "TenGigabitEthernet", never of "GigabitEthernet").
#include <cctype>
#include <string_view>
#include <utility>

namespace regwatch {

inline bool same_interface(std::string_view a, std::string_view b) {
  const auto split = [](std::string_view name) {
    size_t type_end = 0;
    while (type_end < name.size() && std::isalpha(static_cast<unsigned char>(name[type_end])))
      ++type_end;
    return std::pair{name.substr(0, type_end), name.substr(type_end)};
  };
  const auto [type_a, number_a] = split(a);
  const auto [type_b, number_b] = split(b);
  if (number_a != number_b || number_a.empty()) return false;
  const std::string_view shorter = type_a.size() <= type_b.size() ? type_a : type_b;
  const std::string_view longer = type_a.size() <= type_b.size() ? type_b : type_a;
  if (shorter.empty()) return longer.empty();
  for (size_t i = 0; i < shorter.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(shorter[i])) !=
        std::tolower(static_cast<unsigned char>(longer[i])))
      return false;
  }
  return true;
}

}  // namespace regwatch
