// Any bytes as an API request's query parameters and body (collector/http/request_params.h):
// every endpoint's reading must give a question or a "bad_query" that says what was wrong,
// never a crash, an exception, or a question without bounds.
// Input: one byte choosing the endpoint, then "name=value&name=value...", a newline, the body.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "collector/http/request_params.h"

namespace {

using regwatch::collector::http::Params;

Params split_params(std::string_view text) {
  Params params;
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    const size_t eq = pair.find('=');
    params.emplace(std::string(pair.substr(0, eq)),
                   eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
  }
  return params;
}

template <typename R>
void check(const R& result) {
  if (!result.ok() && (result.error().code != "bad_query" || result.error().message.empty()))
    std::abort();  // a refusal is a bad_query that says why
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  namespace http = regwatch::collector::http;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t newline = input.find('\n');
  const Params params = split_params(input.substr(0, newline));
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  constexpr int64_t kNow = 1'795'000'000'000'000;
  try {
    switch (data[0] % 12) {
      case 0: check(http::incident_query(params, kNow)); break;
      case 1: {
        auto q = http::event_query(params, kNow);
        check(q);
        if (q.ok() && (q->limit() == 0 || q->limit() > http::kMaxLimit)) std::abort();
        break;
      }
      case 2: check(http::explain_query(body, params, kNow)); break;
      case 3: check(http::top_query(params, kNow)); break;
      case 4: check(http::alert_query(params, kNow)); break;
      case 5: check(http::silence_query(params)); break;
      case 6: check(http::incident_format(params)); break;
      case 7: check(http::drop_series_query(params, kNow)); break;
      case 8: check(http::cm_nodes_query(params, kNow)); break;
      case 9: check(http::inputs_query(params)); break;
      case 10: check(http::phone_search(params)); break;
      default: check(http::silence_from_json(body, kNow)); break;
    }
  } catch (...) {
    std::abort();  // a bad request is an answer, never an exception
  }
  return 0;
}
