#pragma once
// What a caller may do (access_policy.h): a token's or a client certificate's role.
#include <optional>
#include <string>

namespace regwatch::collector {

enum class Role { kAgent, kViewer, kOperator };
const char* role_name(Role role);
std::optional<Role> parse_role(const std::string& text);

}  // namespace regwatch::collector
