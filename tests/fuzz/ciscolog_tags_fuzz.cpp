// Any bytes as a CUCM alarm body: the CiscoLog tag parser and the old "Label.:value" parser
// must never crash, keep every tag inside the body's size, and leave the text a view into
// the body.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "agent/syslog/ciscolog_tags.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::syslog;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const TagParse parsed = parse_ciscolog_tags(body);
  size_t tag_bytes = 0;
  for (const auto& [key, value] : parsed.tags) tag_bytes += key.size() + value.size();
  if (tag_bytes > size) std::abort();  // unescaping only ever shortens
  if (!parsed.text.empty() && (parsed.text.data() < body.data() ||
                               parsed.text.data() + parsed.text.size() > body.data() + size))
    std::abort();
  for (const auto& [key, value] : parse_labelled_body(body)) {
    if (key.empty() || value.size() > size) std::abort();
  }
  (void)tag_value(parsed.tags, "DeviceName");
  return 0;
}
