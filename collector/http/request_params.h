#pragma once
// An API request's query parameters read into the questions QueryService answers, with the
// same forms and defaults as the CLI's flags (times: RFC 3339, "2h" ago or "now"). Every
// problem is a "bad_query" error that names the parameter and what it takes, and a parameter
// the endpoint does not know is refused rather than ignored (a typo must not silently widen
// a question). Limits are capped: nothing returns unbounded data.
// Pure: the caller passes `now_us`; nothing here touches HTTP or the store.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "regwatch/v1/query.pb.h"

namespace regwatch::collector::http {

// Query parameters as the HTTP library hands them over (a name may repeat).
using Params = std::multimap<std::string, std::string>;

inline constexpr uint32_t kDefaultLimit = 100;
inline constexpr uint32_t kMaxLimit = 1000;

Result<v1::IncidentQuery> incident_query(const Params& params, int64_t now_us);
// kind may repeat or be comma-separated; order is newest (default) or oldest.
Result<v1::EventQuery> event_query(const Params& params, int64_t now_us);
Result<v1::ExplainQuery> explain_query(std::string_view device, const Params& params,
                                       int64_t now_us);
Result<v1::TopQuery> top_query(const Params& params, int64_t now_us);
// all=true: resolved ones too, those that ended since `since` (default 24h, as the CLI).
Result<v1::AlertQuery> alert_query(const Params& params, int64_t now_us);
Result<v1::SilenceQuery> silence_query(const Params& params);
// Only `format` (json or markdown).
Result<std::string> incident_format(const Params& params);

// A silence from a POST body: {"matchers": ["alertname=X", "scope=~\"ucm-.*\""], "until": "2h"
// or RFC 3339, or "for": "2h", "starts": optional, "comment": "why"}. The store checks the
// rest (a matcher that is not only the empty value, a comment, the label names).
Result<v1::Silence> silence_from_json(std::string_view body, int64_t now_us);

}  // namespace regwatch::collector::http
