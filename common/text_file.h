#pragma once
// Small files the binaries read at start-up (tokens, TLS certificates and
// keys), with errors that name what was being read.
#include <string>

#include "common/result.h"

namespace regwatch {

// `what` names the file in errors: "cannot read client certificate /etc/x.pem".
Result<std::string> read_text_file(const std::string& path, const char* what);
// Like read_text_file, and the content must be PEM.
Result<std::string> read_pem_file(const std::string& path, const char* what);

}  // namespace regwatch
