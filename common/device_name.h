#pragma once
// Cisco device names carry the MAC: SEP0017943A98BA -> 00:17:94:3a:98:ba.
#include <string>
#include <string_view>
#include <vector>

namespace regwatch {

// The MAC in lower-case colon form when the name is a known prefix (SEP, ATA,
// BAT, CSF is not MAC-based so it is excluded) followed by 12 hex digits;
// otherwise empty.
std::string mac_from_device_name(std::string_view device_name);

// A Cisco phone's device name from its MAC in any common form ("00:17:94:3a:98:ba",
// "0017.943a.98ba", "0017943A98BA"): "SEP0017943A98BA"; empty unless it is 12 hex digits.
std::string phone_device_name(std::string_view mac);

// Every device name that carries this MAC (in a form phone_device_name takes):
// SEP0017943A98BA, ATA0017943A98BA, ... ; empty for anything else.
std::vector<std::string> device_names_with_mac(std::string_view mac);

// The one spelling of a device name that the phones summary keys on: ASCII letters in upper
// case, every other byte as it is. CUCM names a device without regard to case and writes
// MAC-based names in upper case, so "sep0017943a98ba" and "SEP0017943A98BA" are one phone.
// ASCII only, as SQLite's NOCASE was, so that both store backends compare names byte for byte.
std::string folded_device_name(std::string_view device_name);

}  // namespace regwatch
