#pragma once
// The class of a CUCM reason code: what kind of problem it points at, which
// decides who acts (network team, CUCM admin, nobody for a planned change).
//   network  - the path between phone and CM (KeepAliveTimeout, ConnectivityError, ...)
//   planned  - a reset, restart or apply-config someone asked for
//   security - certificates, trust lists, TLS
//   config   - the device's configuration in CUCM (unknown device, DN or type mismatch)
//   storm    - throttling and duplicate registrations
//   other    - anything else, and unknown codes
// Unregistration and registration-failure codes are different tables (13 is
// KeepAliveTimeout in one and DirectoryNumberMismatch in the other; 28 is a
// planned FallbackInitiated in one and SecurityMismatch in the other).
#include <cstdint>
#include <string_view>

namespace regwatch::domain {

std::string_view unregistration_reason_class(int32_t code);
std::string_view registration_failure_reason_class(int32_t code);

}  // namespace regwatch::domain
