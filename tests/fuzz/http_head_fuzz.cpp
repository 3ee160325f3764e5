// Any bytes as the start of an HTTP stream (a phone's config download on TCP 6970): the head
// or a named error, never a crash; and the answer must not depend on where the stream was cut:
// a head found in the whole stream is found the same in its first head_bytes, and its first
// head_bytes - 1 "need_more". Input: two bytes of max_head (capped at kMaxHttpHead), then the
// stream.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "agent/boot/http_head.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::boot;
  if (size < 2) return 0;
  const size_t max_head = (static_cast<size_t>(data[0]) << 8 | data[1]) % (kMaxHttpHead + 1);
  const std::span<const uint8_t> stream(data + 2, size - 2);
  const auto head = parse_http_head(stream, max_head);
  if (!head) {
    if (head.error().code.empty()) std::abort();
    return 0;
  }
  if (head->head_bytes == 0 || head->head_bytes > stream.size() || head->head_bytes > max_head)
    std::abort();
  const auto exact = parse_http_head(stream.first(head->head_bytes), max_head);
  if (!exact || exact->head_bytes != head->head_bytes || exact->status != head->status ||
      exact->target != head->target || exact->content_length != head->content_length ||
      exact->chunked != head->chunked || exact->keep_alive != head->keep_alive)
    std::abort();
  const auto short_one = parse_http_head(stream.first(head->head_bytes - 1), max_head);
  if (short_one || short_one.error().code != "need_more") std::abort();
  return 0;
}
