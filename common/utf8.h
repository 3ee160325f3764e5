#pragma once
// UTF-8 well-formedness, the one rule the syslog parser, the boot chain's events and the
// JSON/logfmt log formats (common/logging.cpp) apply to bytes from devices.
#include <cstddef>
#include <string>
#include <string_view>

namespace regwatch {

// Length (2..4) of the well-formed multi-byte UTF-8 sequence starting at text[i], 0 when it is
// not one (ASCII, a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, or
// cut short by the end of text). i < text.size().
size_t utf8_sequence_length(std::string_view text, size_t i);

// Proto3 strings must be valid UTF-8; bytes from devices and the wire need not be. Invalid bytes
// (and NUL) become the text "\xNN", so nothing is lost and the event still serialises. Returns
// true when the input was already valid UTF-8 (out is then a copy).
bool sanitize_utf8(std::string_view in, std::string& out);

// The longest prefix of valid UTF-8 text that is at most max_bytes long and does not end
// inside a character: a byte limit on sanitised text must not cut a character in two (the
// piece would no longer serialise).
std::string_view utf8_prefix(std::string_view text, size_t max_bytes);

}  // namespace regwatch
