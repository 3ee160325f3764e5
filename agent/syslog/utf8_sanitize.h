#pragma once
// Proto3 strings must be valid UTF-8; syslog bytes need not be. Invalid bytes
// become the text "\xNN" so nothing is lost and the event still serialises.
#include <string>
#include <string_view>

namespace regwatch::agent::syslog {

// Returns true when the input was already valid UTF-8 (out is then a copy).
bool sanitize_utf8(std::string_view in, std::string& out);

// The longest prefix of valid UTF-8 text that is at most max_bytes long and does not end
// inside a character: a byte limit on sanitised text must not cut a character in two (the
// piece would no longer serialise).
std::string_view utf8_prefix(std::string_view text, size_t max_bytes);

}  // namespace regwatch::agent::syslog
