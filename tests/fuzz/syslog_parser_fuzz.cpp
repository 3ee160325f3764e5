// Any bytes as a syslog line: the parser must return an event that serialises
// and parses back (valid UTF-8 everywhere), keep the raw text, and never crash.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "agent/syslog/syslog_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::syslog;
  LineContext context;
  context.receive_time_us = 1'795'435'200'000'000;
  context.reference_time_us = context.receive_time_us;
  context.sender = "127.0.0.1";
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  ParsedLine parsed = parse_syslog_line(line, context);
  std::string bytes;
  if (!parsed.event.SerializeToString(&bytes)) std::abort();
  regwatch::v1::Event back;
  if (!back.ParseFromString(bytes)) std::abort();
  if (parsed.event.raw().empty() && size > 0 &&
      line.find_first_not_of("\r\n", 0) != std::string_view::npos &&
      line.find('\0') == std::string_view::npos) {
    // Only trailing CR/LF/NUL may vanish from the raw text.
    if (line.find_last_not_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
      std::abort();
  }
  return 0;
}
