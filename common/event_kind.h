#pragma once
// Text forms of the proto enums, as the store, the CLI and configs use them:
// the lower-case enum name without prefix ("phone_unregistered", "syslog").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "regwatch/v1/event.pb.h"

namespace regwatch {

std::string kind_name(v1::EventKind kind);
std::optional<v1::EventKind> parse_kind(std::string_view name);
std::vector<std::string> all_kind_names();  // every valid kind, in enum order

std::string source_name(v1::Source source);
std::optional<v1::Source> parse_source(std::string_view name);  // "sip" -> SOURCE_SIP
std::vector<std::string> all_source_names();                    // every valid input, in enum order

}  // namespace regwatch
