#include <algorithm>
#include <charconv>
#include <span>

#include "common/domain_tables.h"

namespace regwatch::domain {
namespace {

const CodeName* find_entry(std::span<const CodeName> table, int32_t code) {
  // Tables are sorted by code (the generator sorts them).
  auto it = std::lower_bound(table.begin(), table.end(), code,
                             [](const CodeName& entry, int32_t c) { return entry.code < c; });
  return (it != table.end() && it->code == code) ? &*it : nullptr;
}

std::string_view find(std::span<const CodeName> table, int32_t code) {
  const CodeName* entry = find_entry(table, code);
  return entry ? entry->name : std::string_view{};
}

std::string_view meaning(std::span<const CodeName> table, int32_t code) {
  const CodeName* entry = find_entry(table, code);
  return entry ? entry->meaning : std::string_view{};
}

}  // namespace

std::string_view unregistration_reason_name(int32_t code) {
  return find(detail::kUnregistrationReasons, code);
}
std::string_view registration_failure_reason_name(int32_t code) {
  return find(detail::kRegistrationFailureReasons, code);
}
std::string_view unregistration_reason_meaning(int32_t code) {
  return meaning(detail::kUnregistrationReasons, code);
}
std::string_view registration_failure_reason_meaning(int32_t code) {
  return meaning(detail::kRegistrationFailureReasons, code);
}
std::string_view device_type_name(int32_t code) {
  return find(detail::kDeviceTypes, code);
}

std::optional<int32_t> reason_code_named(std::string_view text) {
  int32_t code = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), code);
  if (error == std::errc() && end == text.data() + text.size() && !text.empty()) return code;
  for (auto table : {detail::kUnregistrationReasons, detail::kRegistrationFailureReasons}) {
    for (const auto& entry : table) {
      if (entry.name == text) return entry.code;
    }
  }
  return std::nullopt;
}

}  // namespace regwatch::domain
