#include "collector/query/phone_search.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

namespace regwatch::collector::query {
namespace {

using PhoneMatch = store::EventSource::PhoneMatch;

std::string_view trimmed(std::string_view text) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<std::string> mac_digits(std::string_view text) {
  std::string digits;
  char separator = 0;
  for (const char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      digits += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else if (c == ':' || c == '-' || c == '.') {
      // One kind of separator, never two in a row nor at either end.
      if ((separator && c != separator) || digits.empty()) return std::nullopt;
      separator = c;
    } else {
      return std::nullopt;
    }
  }
  if (digits.size() != 12) return std::nullopt;
  if (!text.empty() && (text.back() == separator)) return std::nullopt;
  if (separator) {
    // Groups of two (colon or dash form) or four (Cisco's dotted form), all alike.
    size_t group = 0, size = 0;
    for (const char c : text) {
      if (c == separator) {
        if (size == 0 || (group != 0 && size != group)) return std::nullopt;
        group = size;
        size = 0;
      } else {
        ++size;
      }
    }
    if (size != group || (group != 2 && group != 4)) return std::nullopt;
  }
  return digits;
}

std::string colon_mac(std::string_view digits) {
  std::string mac;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && i % 2 == 0) mac += ':';
    mac += static_cast<char>(std::tolower(static_cast<unsigned char>(digits[i])));
  }
  return mac;
}

bool is_ip_address(std::string_view text) {
  const std::string address(text);
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, address.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, address.c_str(), buffer) == 1;
}

Result<regwatch::v1::PhoneList> search_phones(store::EventSource& reader,
                                              const regwatch::v1::PhoneSearch& query) {
  const std::string_view q = trimmed(query.q());
  if (q.empty()) {
    return make_error("bad_query",
                      "q is empty: give a device name, a MAC, an IP or a piece of a description");
  }
  if (q.size() > 256) return make_error("bad_query", "q is longer than 256 characters");
  const uint32_t limit =
      std::min(query.limit() == 0 ? kDefaultPhoneLimit : query.limit(), kMaxPhoneLimit);

  // The searches to run, in the order their results rank, each with what q was read as when
  // it is the first that finds something.
  struct Search {
    PhoneMatch how;
    std::string value;
    const char* read_as;
  };
  std::vector<Search> searches;
  const std::string text(q);
  if (const auto digits = mac_digits(q)) {
    // By the MAC column and under every name that carries the MAC (SEP..., ATA...): the store
    // keeps a MAC only when the name does not.
    searches = {{PhoneMatch::kMac, colon_mac(*digits), "mac"}};
  } else if (is_ip_address(q)) {
    searches = {{PhoneMatch::kIp, text, "ip"}};
  } else {
    searches = {{PhoneMatch::kDevice, text, "device"}, {PhoneMatch::kDevicePrefix, text, "device"}};
  }
  // Last, or when the MAC or IP found nothing: a piece of a name, description or IP.
  searches.push_back({PhoneMatch::kText, text, "text"});

  regwatch::v1::PhoneList list;
  std::set<std::string> seen;  // device names, as the store keys them (folded to one case)
  for (const auto& search : searches) {
    if (list.truncated()) break;
    if (search.how == PhoneMatch::kText && list.phones_size() > 0 &&
        searches.front().how != PhoneMatch::kDevice)
      break;  // the MAC or IP found its phones: no need to guess further
    // One more than fits tells whether the answer was cut.
    auto found = reader.find_phones(search.how, search.value, limit + 1);
    if (!found.ok()) return found.error();
    for (auto& phone : *found) {
      if (!seen.insert(phone.device()).second) continue;
      if (static_cast<uint32_t>(list.phones_size()) == limit) {
        list.set_truncated(true);
        break;
      }
      if (list.phones_size() == 0) list.set_matched_as(search.read_as);
      *list.add_phones() = std::move(phone);
    }
  }
  if (list.phones_size() == 0) list.set_matched_as(searches.front().read_as);
  return list;
}

}  // namespace regwatch::collector::query
