#pragma once
// Proto3 strings must be valid UTF-8; syslog bytes need not be. Invalid bytes
// become the text "\xNN" so nothing is lost and the event still serialises.
#include <string>
#include <string_view>

namespace regwatch::agent::syslog {

// Returns true when the input was already valid UTF-8 (out is then a copy).
bool sanitize_utf8(std::string_view in, std::string& out);

}  // namespace regwatch::agent::syslog
