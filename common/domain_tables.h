#pragma once
// CUCM's code tables (reason codes, device types), generated from the team's
// sourced CSVs by tools/gen_domain_tables.py. Lookups of unknown codes return an
// empty string_view: callers keep the number.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace regwatch::domain {

struct CodeName {
  int32_t code;
  std::string_view name;
  std::string_view meaning;  // Cisco's description of the code, in words; may be empty
};

// EndPointUnregistered / DeviceUnregistered / CcmDevUnregCauseCode.
std::string_view unregistration_reason_name(int32_t code);
// EndPointTransientConnection / DeviceTransientConnection / CcmDevRegFailCauseCode.
std::string_view registration_failure_reason_name(int32_t code);
// Cisco's description of a code, for people ("Device not configured properly in the CUCM
// database"); empty when unknown.
std::string_view unregistration_reason_meaning(int32_t code);
std::string_view registration_failure_reason_meaning(int32_t code);
// A reason as people write it: a number ("8") or a name from either table ("KeepAliveTimeout");
// nullopt when it is neither.
std::optional<int32_t> reason_code_named(std::string_view text);
// CUCM DeviceType enum (SCCP deviceType for phones).
std::string_view device_type_name(int32_t code);

namespace detail {
// Sorted by code.
extern const std::span<const CodeName> kUnregistrationReasons;
extern const std::span<const CodeName> kRegistrationFailureReasons;
extern const std::span<const CodeName> kDeviceTypes;
}  // namespace detail

}  // namespace regwatch::domain
