#pragma once
// UTF-8 well-formedness, the one rule both the syslog sanitiser (agent/syslog/utf8_sanitize.h)
// and the JSON/logfmt log formats (common/logging.cpp) apply to bytes from devices.
#include <cstddef>
#include <string_view>

namespace regwatch {

// Length (2..4) of the well-formed multi-byte UTF-8 sequence starting at text[i], 0 when it is
// not one (ASCII, a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, or
// cut short by the end of text). i < text.size().
size_t utf8_sequence_length(std::string_view text, size_t i);

}  // namespace regwatch
