#pragma once
// The phone search (the dashboard's search box; PhoneSearch / PhoneList in query.proto). One
// text, read as the first of these it can be:
//   a MAC in any common form: 00:17:94:3a:98:ba, 0017.943a.98ba, 00-17-94-3A-98-BA,
//     0017943A98BA (12 hex digits, separators optional) -> the phone with that MAC, or named
//     SEP0017943A98BA;
//   an IP (v4 or v6) -> the phones last seen at it;
//   anything else -> device names equal to it, then starting with it (without case), then
//     device names, descriptions or IPs containing it.
// A MAC or IP that finds nothing is searched as text too ("0017943a98ba" may be a piece of a
// description). Results are unique, exact matches first; at most `limit` (default 20, at
// most 100), truncated when there were more.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "collector/store/event_source.h"
#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::query {

inline constexpr uint32_t kDefaultPhoneLimit = 20;
inline constexpr uint32_t kMaxPhoneLimit = 100;

// The 12 hex digits of a MAC written in a common form, upper-case ("0017943A98BA"); nullopt
// when the text is not a MAC.
std::optional<std::string> mac_digits(std::string_view text);
// "00:17:94:3a:98:ba" from the 12 digits.
std::string colon_mac(std::string_view digits);
bool is_ip_address(std::string_view text);

Result<regwatch::v1::PhoneList> search_phones(store::EventSource& reader,
                                              const regwatch::v1::PhoneSearch& query);

}  // namespace regwatch::collector::query
