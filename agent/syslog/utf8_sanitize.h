#pragma once
// The syslog parser's names for common/utf8.h's sanitiser (one rule for every input).
#include "common/utf8.h"

namespace regwatch::agent::syslog {

using regwatch::sanitize_utf8;
using regwatch::utf8_prefix;

}  // namespace regwatch::agent::syslog
