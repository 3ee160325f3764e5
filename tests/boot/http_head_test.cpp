#include "agent/boot/http_head.h"

#include <gtest/gtest.h>

#include <string_view>

namespace regwatch::agent::boot {
namespace {

Result<HttpHead> parse(std::string_view text, size_t max_head = kMaxHttpHead) {
  return parse_http_head(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
      max_head);
}

TEST(HttpHead, PhoneConfigRequest) {
  const std::string_view request =
      "GET /SEP0017943A98BA.cnf.xml.sgn HTTP/1.1\r\nHost: 10.1.1.5:6970\r\n"
      "User-Agent: Cisco-CP8845\r\n\r\nleftover";
  const auto head = parse(request);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_FALSE(head->response);
  EXPECT_EQ(head->method, "GET");
  EXPECT_EQ(head->target, "/SEP0017943A98BA.cnf.xml.sgn");
  EXPECT_TRUE(head->keep_alive);
  EXPECT_EQ(head->head_bytes, request.size() - std::string_view("leftover").size());
}

TEST(HttpHead, Responses) {
  const auto ok = parse(
      "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
      "content-length: 4712\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_TRUE(ok->response);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->reason, "OK");
  EXPECT_EQ(ok->content_length, 4712u);
  EXPECT_FALSE(ok->keep_alive);
  EXPECT_FALSE(ok->chunked);

  const auto missing = parse("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->reason, "Not Found");
  EXPECT_EQ(missing->content_length, 0u);

  const auto chunked = parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n");
  ASSERT_TRUE(chunked);
  EXPECT_TRUE(chunked->chunked);
  EXPECT_FALSE(chunked->content_length);

  const auto old = parse("HTTP/1.0 200\n\n");  // bare LF, no reason, 1.0 closes by default
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->status, 200);
  EXPECT_EQ(old->reason, "");
  EXPECT_FALSE(old->keep_alive);
  EXPECT_EQ(old->head_bytes, 14u);
}

TEST(HttpHead, NeedMoreUntilTheBlankLine) {
  EXPECT_EQ(parse("").error().code, "need_more");
  EXPECT_EQ(parse("GE").error().code, "need_more");
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\n").error().code, "need_more");
  EXPECT_EQ(parse("GET /a HTTP/1.1\r\nHost: x\r\n\r").error().code, "need_more");
}

TEST(HttpHead, NamedErrors) {
  EXPECT_EQ(parse("\x16\x03\x01\x02\x00").error().code, "not_http");  // TLS on 6971
  EXPECT_EQ(parse("get / HTTP/1.1\r\n\r\n").error().code, "not_http");
  EXPECT_EQ(parse(" GET / HTTP/1.1\r\n\r\n").error().code, "not_http");
  EXPECT_EQ(parse("HTTP/1.1 2x0 OK\r\n\r\n").error().code, "bad_status_line");
  EXPECT_EQ(parse("HTTP/2 200 OK\r\n\r\n").error().code, "bad_status_line");
  EXPECT_EQ(parse("GET /only-target\r\n\r\n").error().code, "bad_request_line");
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n").error().code,
            "bad_content_length");
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n").error().code,
            "bad_content_length");
  EXPECT_EQ(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n").error().code,
            "bad_content_length");
}

TEST(HttpHead, HeadLimitAtAndPastTheLimit) {
  const std::string start = "GET /a HTTP/1.1\r\nX-Pad: ";
  const std::string end = "\r\n\r\n";
  std::string at_limit = start + std::string(64 - start.size() - end.size(), 'p') + end;
  ASSERT_EQ(at_limit.size(), 64u);
  const auto fits = parse(at_limit, 64);
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_EQ(fits->head_bytes, 64u);
  std::string past = start + std::string(64 - start.size() - end.size() + 1, 'p') + end;
  EXPECT_EQ(parse(past, 64).error().code, "head_too_long");
  EXPECT_EQ(parse(past.substr(0, 40), 64).error().code, "need_more");
}

}  // namespace
}  // namespace regwatch::agent::boot
