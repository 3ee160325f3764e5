#pragma once
// The head of an HTTP/1.x request or response, for the config downloads phones make over TCP
// 6970 (newer Cisco phones try HTTP before TFTP). Only what a download needs: the request's
// method and target; the response's status, reason, Content-Length and whether the body is
// chunked. Pure; never throws on wire data.
//
// parse_http_head() reads from the start of a byte stream (one direction of a connection, in
// order). Returns the head and how many bytes it took, kNeedMore (as the error name
// "need_more") when the head is not complete yet, or a named error ("not_http", "head_too_long"
// past max_head bytes, "bad_status_line", "bad_content_length").
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/result.h"

namespace regwatch::agent::boot {

struct HttpHead {
  bool response = false;
  std::string method;  // request: "GET"
  std::string target;  // request: "/SEP0017943A98BA.cnf.xml.sgn"
  int status = 0;      // response: 200
  std::string reason;  // response: "OK", "Not Found"
  std::optional<uint64_t> content_length;
  bool chunked = false;    // Transfer-Encoding: chunked
  bool keep_alive = true;  // HTTP/1.1 default unless "Connection: close"
  size_t head_bytes = 0;   // through the blank line
};

inline constexpr size_t kMaxHttpHead = 16 * 1024;

Result<HttpHead> parse_http_head(std::span<const uint8_t> stream, size_t max_head = kMaxHttpHead);

}  // namespace regwatch::agent::boot
