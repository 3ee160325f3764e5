#include "agent/boot/http_head.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

#include "common/ascii_case.h"

namespace regwatch::agent::boot {
namespace {

// A request method is a short upper-case token (GET, HEAD, POST...): longer, and the stream is
// not HTTP.
constexpr size_t kMaxMethod = 16;
constexpr std::string_view kHttpVersionPrefix = "HTTP/";

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether the first bytes can start an HTTP head: "HTTP/" (a response) or a method token and a
// space (a request). Decided on as few bytes as there are; undecided is not a "no".
enum class Start { kRequest, kResponse, kUndecided, kNotHttp };

Start classify_start(std::string_view text) {
  const size_t common = std::min(text.size(), kHttpVersionPrefix.size());
  if (text.substr(0, common) == kHttpVersionPrefix.substr(0, common))
    return common == kHttpVersionPrefix.size() ? Start::kResponse : Start::kUndecided;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') return i == 0 ? Start::kNotHttp : Start::kRequest;
    if (i == kMaxMethod || !std::isupper(static_cast<unsigned char>(text[i])))
      return Start::kNotHttp;
  }
  return Start::kUndecided;
}

// "HTTP/1.0" or "HTTP/1.1" (any 1.x); sets keep_alive to the version's default.
bool read_version(std::string_view version, HttpHead& head) {
  if (version.size() != 8 || version.substr(0, 7) != "HTTP/1." ||
      !std::isdigit(static_cast<unsigned char>(version[7])))
    return false;
  head.keep_alive = version[7] != '0';
  return true;
}

std::optional<Error> read_request_line(std::string_view line, HttpHead& head) {
  const size_t first = line.find(' ');
  const size_t last = line.rfind(' ');
  if (first == std::string_view::npos || last == first ||
      !read_version(line.substr(last + 1), head))
    return make_error("bad_request_line", "HTTP request line is not \"METHOD target HTTP/1.x\"");
  head.method = std::string(line.substr(0, first));
  head.target = std::string(trim(line.substr(first + 1, last - first - 1)));
  if (head.target.empty()) return make_error("bad_request_line", "HTTP request line has no target");
  return std::nullopt;
}

std::optional<Error> read_status_line(std::string_view line, HttpHead& head) {
  head.response = true;
  const size_t space = line.find(' ');
  if (space == std::string_view::npos || !read_version(line.substr(0, space), head))
    return make_error("bad_status_line", "HTTP status line is not \"HTTP/1.x code reason\"");
  const std::string_view rest = line.substr(space + 1);
  if (rest.size() < 3 ||
      !std::all_of(rest.begin(), rest.begin() + 3,
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
      (rest.size() > 3 && rest[3] != ' '))
    return make_error("bad_status_line", "HTTP status line without a three-digit status code");
  head.status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
  head.reason = rest.size() > 4 ? std::string(trim(rest.substr(4))) : std::string();
  return std::nullopt;
}

std::optional<Error> read_content_length(std::string_view value, HttpHead& head) {
  // 19 digits always fit in uint64_t; a longer number is not a file size.
  if (value.empty() || value.size() > 19 || !std::all_of(value.begin(), value.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return make_error("bad_content_length", "HTTP Content-Length \"" +
                                                std::string(value.substr(0, 32)) +
                                                "\" is not a decimal byte count");
  }
  uint64_t length = 0;
  for (char c : value) length = length * 10 + static_cast<uint64_t>(c - '0');
  // RFC 9112 6.3: differing Content-Length values make the framing unknowable.
  if (head.content_length && *head.content_length != length)
    return make_error("bad_content_length", "HTTP head with two different Content-Length values");
  head.content_length = length;
  return std::nullopt;
}

void read_header(std::string_view name, std::string_view value, HttpHead& head,
                 std::optional<Error>& error) {
  if (iequals(name, "Content-Length")) {
    error = read_content_length(value, head);
  } else if (iequals(name, "Transfer-Encoding")) {
    // The last coding decides the framing: "gzip, chunked" is chunked.
    const std::string lower = ascii_lower(value);
    const size_t comma = lower.rfind(',');
    head.chunked = trim(comma == std::string::npos ? lower : lower.substr(comma + 1)) == "chunked";
  } else if (iequals(name, "Connection")) {
    const std::string lower = ascii_lower(value);
    if (lower.find("close") != std::string::npos) head.keep_alive = false;
    if (lower.find("keep-alive") != std::string::npos) head.keep_alive = true;
  }
}

}  // namespace

Result<HttpHead> parse_http_head(std::span<const uint8_t> stream, size_t max_head) {
  const std::string_view text(reinterpret_cast<const char*>(stream.data()),
                              std::min(stream.size(), max_head));
  const Start start = classify_start(text);
  if (start == Start::kNotHttp)
    return make_error("not_http", "stream does not start with an HTTP request or status line");

  // The head ends at the first empty line; bare LF line ends are tolerated as RFC 9112 2.2
  // allows.
  size_t end = std::string_view::npos, body = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') continue;
    const size_t next = i + 1;
    if (next < text.size() && text[next] == '\n') {
      end = i, body = next + 1;
      break;
    }
    if (next + 1 < text.size() && text[next] == '\r' && text[next + 1] == '\n') {
      end = i, body = next + 2;
      break;
    }
  }
  if (end == std::string_view::npos) {
    if (stream.size() >= max_head) {
      return make_error("head_too_long", "HTTP head longer than " + std::to_string(max_head) +
                                             " bytes without an empty line");
    }
    return make_error("need_more", "HTTP head not complete yet");
  }
  if (start == Start::kUndecided)
    return make_error("not_http", "stream does not start with an HTTP request or status line");

  HttpHead head;
  head.head_bytes = body;
  std::string_view lines = text.substr(0, end + 1);
  size_t line_end = lines.find('\n');
  const std::string_view first = trim(lines.substr(0, line_end));
  std::optional<Error> error =
      start == Start::kResponse ? read_status_line(first, head) : read_request_line(first, head);
  if (error) return *error;
  while (line_end != std::string_view::npos && line_end + 1 < lines.size()) {
    lines.remove_prefix(line_end + 1);
    line_end = lines.find('\n');
    const std::string_view line = lines.substr(0, line_end);
    const size_t colon = line.find(':');
    // A header line without a colon is skipped, as most clients do.
    if (colon == std::string_view::npos) continue;
    read_header(trim(line.substr(0, colon)), trim(line.substr(colon + 1)), head, error);
    if (error) return *error;
  }
  return head;
}

}  // namespace regwatch::agent::boot
