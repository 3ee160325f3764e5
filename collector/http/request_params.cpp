#include "collector/http/request_params.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "alerts/label_matcher.h"
#include "common/domain_tables.h"
#include "common/event_kind.h"
#include "common/incident_state.h"
#include "common/time_format.h"

namespace regwatch::collector::http {
namespace {

Error bad(std::string message) {
  return make_error("bad_query", std::move(message));
}

// Refuses a parameter the endpoint does not take, naming those it does.
Status only_known(const Params& params, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : params) {
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return bad("unknown parameter '" + name + "'; this endpoint takes " +
               (list.empty() ? std::string("none") : list));
  }
  return Ok{};
}

// The last value given for `name`, or "" when absent.
std::string value_of(const Params& params, const std::string& name) {
  auto [first, last] = params.equal_range(name);
  return first == last ? std::string() : std::prev(last)->second;
}

// A time parameter into `out` (0 when absent).
Status read_time(const Params& params, const std::string& name, int64_t now_us, int64_t& out) {
  const std::string text = value_of(params, name);
  if (text.empty()) return Ok{};
  auto t = parse_time_arg(text, now_us);
  if (!t.ok()) return bad(name + ": " + t.error().message);
  out = *t;
  return Ok{};
}

// A whole number from `low` to `high` into `out` (0 when absent: the question's default).
Status read_count(const Params& params, const std::string& name, uint32_t low, uint32_t high,
                  uint32_t& out) {
  const std::string text = value_of(params, name);
  out = 0;
  if (text.empty()) return Ok{};
  uint32_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc() || end != text.data() + text.size() || n < low || n > high) {
    return bad(name + ": '" + text + "' is not a number from " + std::to_string(low) + " to " +
               std::to_string(high));
  }
  out = n;
  return Ok{};
}

// `limit`: kDefaultLimit when absent, at most kMaxLimit.
Status read_limit(const Params& params, uint32_t& out) {
  if (auto ok = read_count(params, "limit", 1, kMaxLimit, out); !ok.ok()) return ok;
  if (out == 0) out = kDefaultLimit;
  return Ok{};
}

Status read_bool(const Params& params, const std::string& name, bool& out) {
  const std::string text = value_of(params, name);
  if (text.empty() || text == "false" || text == "0") return Ok{};
  if (text == "true" || text == "1") {
    out = true;
    return Ok{};
  }
  return bad(name + ": '" + text + "' is not true or false");
}

Status check_range(int64_t since_us, int64_t until_us) {
  if (since_us != 0 && until_us != 0 && until_us <= since_us) {
    return bad("until (" + format_rfc3339_ms(until_us) + ") is not after since (" +
               format_rfc3339_ms(since_us) + ")");
  }
  return Ok{};
}

}  // namespace

Result<v1::IncidentQuery> incident_query(const Params& params, int64_t now_us) {
  if (auto ok = only_known(params, {"state", "since", "until", "cause", "scope", "limit"});
      !ok.ok())
    return ok.error();
  v1::IncidentQuery q;
  int64_t since = 0, until = 0;
  uint32_t limit = 0;
  if (auto ok = read_time(params, "since", now_us, since); !ok.ok()) return ok.error();
  if (auto ok = read_time(params, "until", now_us, until); !ok.ok()) return ok.error();
  if (auto ok = check_range(since, until); !ok.ok()) return ok.error();
  if (auto ok = read_limit(params, limit); !ok.ok()) return ok.error();
  std::string state = value_of(params, "state");
  if (state == "all") state.clear();
  if (!state.empty()) {
    bool known = false;
    std::string names;
    for (auto name : incident_state_names()) {
      known = known || name == state;
      names += (names.empty() ? "" : ", ") + std::string(name);
    }
    if (!known) return bad("state: '" + state + "' is not one of " + names + " or all");
  }
  q.set_since_us(since);
  q.set_until_us(until);
  q.set_state(state);
  q.set_cause(value_of(params, "cause"));
  q.set_scope(value_of(params, "scope"));
  q.set_limit(limit);
  return q;
}

Result<v1::EventQuery> event_query(const Params& params, int64_t now_us) {
  if (auto ok = only_known(params, {"since", "until", "device", "kind", "source", "origin",
                                    "reason_code", "order", "limit", "cursor", "spoofed"});
      !ok.ok())
    return ok.error();
  v1::EventQuery q;
  int64_t since = 0, until = 0;
  uint32_t limit = 0;
  bool spoofed = false;
  if (auto ok = read_time(params, "since", now_us, since); !ok.ok()) return ok.error();
  if (auto ok = read_time(params, "until", now_us, until); !ok.ok()) return ok.error();
  if (auto ok = check_range(since, until); !ok.ok()) return ok.error();
  if (auto ok = read_limit(params, limit); !ok.ok()) return ok.error();
  if (auto ok = read_bool(params, "spoofed", spoofed); !ok.ok()) return ok.error();
  auto [first, last] = params.equal_range("kind");
  for (auto it = first; it != last; ++it) {
    std::string_view rest = it->second;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string kind(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (kind.empty()) continue;
      if (!parse_kind(kind)) {
        std::string kinds;
        for (const auto& k : all_kind_names()) {
          if (!kinds.empty()) kinds += ", ";
          kinds += k;
        }
        return bad(std::string("kind: unknown kind '")
                       .append(kind)
                       .append("'; kinds are: ")
                       .append(kinds));
      }
      q.add_kinds(kind);
    }
  }
  // source=sip&source=sccp, or source=sip,sccp: the inputs, as `regwatch events --source`.
  auto [first_source, last_source] = params.equal_range("source");
  for (auto it = first_source; it != last_source; ++it) {
    std::string_view rest = it->second;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string source(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      if (source.empty()) continue;
      const auto parsed = parse_source(source);
      if (!parsed) {
        std::string sources;
        for (const auto& s : all_source_names()) sources += (sources.empty() ? "" : ", ") + s;
        return bad("source: unknown source '" + source + "'; sources are: " + sources);
      }
      q.add_sources(source_name(*parsed));
    }
  }
  if (const std::string reason = value_of(params, "reason_code"); !reason.empty()) {
    auto code = domain::reason_code_named(reason);
    if (!code)
      return bad("reason_code: '" + reason + "' is neither a number nor a CUCM reason name");
    q.set_reason_code(*code);
  }
  const std::string order = value_of(params, "order");
  if (!order.empty() && order != "newest" && order != "oldest")
    return bad("order: '" + order + "' is not newest or oldest");
  q.set_since_us(since);
  q.set_until_us(until);
  q.set_device(value_of(params, "device"));
  q.set_origin(value_of(params, "origin"));
  q.set_limit(limit);
  q.set_oldest_first(order == "oldest");
  q.set_spoofed_only(spoofed);
  q.set_cursor(value_of(params, "cursor"));
  return q;
}

Result<v1::DropSeriesQuery> drop_series_query(const Params& params, int64_t now_us) {
  if (auto ok = only_known(params, {"since", "until", "step"}); !ok.ok()) return ok.error();
  v1::DropSeriesQuery q;
  int64_t since = 0, until = 0;
  if (auto ok = read_time(params, "since", now_us, since); !ok.ok()) return ok.error();
  if (auto ok = read_time(params, "until", now_us, until); !ok.ok()) return ok.error();
  if (auto ok = check_range(since, until); !ok.ok()) return ok.error();
  uint32_t step = 0;
  if (auto ok = read_count(params, "step", 1, 86400, step); !ok.ok()) return ok.error();
  q.set_since_us(since);
  q.set_until_us(until);
  q.set_step_s(step);
  return q;
}

Result<v1::CmNodesQuery> cm_nodes_query(const Params& params, int64_t now_us) {
  if (auto ok = only_known(params, {"at"}); !ok.ok()) return ok.error();
  v1::CmNodesQuery q;
  int64_t at = 0;
  if (auto ok = read_time(params, "at", now_us, at); !ok.ok()) return ok.error();
  q.set_at_us(at);
  return q;
}

Result<v1::InputsQuery> inputs_query(const Params& params) {
  if (auto ok = only_known(params, {"silent_after"}); !ok.ok()) return ok.error();
  v1::InputsQuery q;
  if (const std::string text = value_of(params, "silent_after"); !text.empty()) {
    auto d = parse_duration(text);
    if (!d.ok() || *d < 1'000'000 || *d > int64_t{30} * 86400 * 1'000'000)
      return bad("silent_after: '" + text + "' is not a duration from 1s to 30d (90s, 15m, 2h)");
    q.set_silent_after_s(static_cast<uint32_t>(*d / 1'000'000));
  }
  return q;
}

Result<v1::PhoneSearch> phone_search(const Params& params) {
  if (auto ok = only_known(params, {"q", "limit"}); !ok.ok()) return ok.error();
  v1::PhoneSearch q;
  q.set_q(value_of(params, "q"));
  if (q.q().empty()) {
    return bad(
        "q: what to look for: a device name, a MAC (00:17:94:3a:98:ba, 0017.943a.98ba), an "
        "IP or a piece of a description");
  }
  uint32_t limit = 0;
  if (auto ok = read_count(params, "limit", 1, 100, limit); !ok.ok()) return ok.error();
  q.set_limit(limit);
  return q;
}

Result<v1::ExplainQuery> explain_query(std::string_view device, const Params& params,
                                       int64_t now_us) {
  if (auto ok = only_known(params, {"at", "timeline_limit"}); !ok.ok()) return ok.error();
  if (device.empty()) return bad("a device name is needed: /api/v1/phones/SEP0017943A98BA");
  v1::ExplainQuery q;
  int64_t at = 0;
  if (auto ok = read_time(params, "at", now_us, at); !ok.ok()) return ok.error();
  uint32_t limit = 0;  // 0: the server's default (200)
  if (auto ok = read_count(params, "timeline_limit", 1, kMaxLimit, limit); !ok.ok())
    return ok.error();
  q.set_device(std::string(device));
  q.set_at_us(at);
  q.set_timeline_limit(limit);
  return q;
}

Result<v1::TopQuery> top_query(const Params& params, int64_t now_us) {
  if (auto ok = only_known(params, {"since", "until", "limit"}); !ok.ok()) return ok.error();
  v1::TopQuery q;
  int64_t since = 0, until = 0;
  if (auto ok = read_time(params, "since", now_us, since); !ok.ok()) return ok.error();
  if (auto ok = read_time(params, "until", now_us, until); !ok.ok()) return ok.error();
  if (auto ok = check_range(since, until); !ok.ok()) return ok.error();
  uint32_t limit = 0;
  if (auto ok = read_limit(params, limit); !ok.ok()) return ok.error();
  q.set_since_us(since);
  q.set_until_us(until);
  q.set_limit(value_of(params, "limit").empty() ? 10 : limit);  // the CLI's default
  return q;
}

Result<v1::AlertQuery> alert_query(const Params& params, int64_t now_us) {
  if (auto ok = only_known(params, {"all", "since", "limit"}); !ok.ok()) return ok.error();
  v1::AlertQuery q;
  bool all = false;
  if (auto ok = read_bool(params, "all", all); !ok.ok()) return ok.error();
  int64_t since = 0;
  Params with_default = params;
  if (value_of(params, "since").empty()) with_default.emplace("since", "24h");
  if (auto ok = read_time(with_default, "since", now_us, since); !ok.ok()) return ok.error();
  uint32_t limit = 0;
  if (auto ok = read_limit(params, limit); !ok.ok()) return ok.error();
  q.set_resolved_too(all);
  q.set_since_us(since);
  q.set_limit(limit);
  return q;
}

Result<v1::SilenceQuery> silence_query(const Params& params) {
  if (auto ok = only_known(params, {"expired"}); !ok.ok()) return ok.error();
  bool expired = false;
  if (auto ok = read_bool(params, "expired", expired); !ok.ok()) return ok.error();
  v1::SilenceQuery q;
  q.set_include_expired(expired);
  return q;
}

Result<std::string> incident_format(const Params& params) {
  if (auto ok = only_known(params, {"format"}); !ok.ok()) return ok.error();
  std::string format = value_of(params, "format");
  if (format.empty()) format = "json";
  if (format != "json" && format != "markdown")
    return bad("format: '" + format + "' is not json or markdown");
  return format;
}

Result<v1::Silence> silence_from_json(std::string_view body, int64_t now_us) {
  const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return bad(
        "the body is not a JSON object: {\"matchers\": [\"alertname=X\"], \"until\": "
        "\"2h\", \"comment\": \"why\"}");
  }
  for (const auto& [key, value] : doc.items()) {
    if (key != "matchers" && key != "until" && key != "for" && key != "starts" &&
        key != "comment") {
      return bad("unknown field '" + key +
                 "'; a silence takes matchers, starts, until or for, "
                 "and comment");
    }
  }
  const auto text_field = [&](const char* name) -> Result<std::string> {
    if (!doc.contains(name)) return std::string();
    if (!doc[name].is_string()) return bad(std::string(name) + " must be a string");
    return doc[name].get<std::string>();
  };
  v1::Silence silence;
  if (!doc.contains("matchers") || !doc["matchers"].is_array() || doc["matchers"].empty())
    return bad("matchers: a list of LABEL=VALUE, LABEL!=VALUE, LABEL=~REGEX or LABEL!~REGEX");
  for (const auto& m : doc["matchers"]) {
    if (!m.is_string()) return bad("matchers: each is a string such as \"scope=ucm-sub1\"");
    auto parsed = alerts::LabelMatcher::parse(m.get<std::string>());
    if (!parsed.ok()) return bad("matchers: " + parsed.error().message);
    *silence.add_label_matchers() = alerts::to_proto(*parsed);
  }
  auto comment = text_field("comment");
  if (!comment.ok()) return comment.error();
  silence.set_comment(*comment);
  auto starts_text = text_field("starts");
  if (!starts_text.ok()) return starts_text.error();
  int64_t starts = now_us;
  if (!starts_text->empty()) {
    auto t = parse_time_arg(*starts_text, now_us, TimeDirection::kFromNow);
    if (!t.ok()) return bad("starts: " + t.error().message);
    starts = *t;
  }
  silence.set_starts_us(starts);
  auto until = text_field("until");
  if (!until.ok()) return until.error();
  auto for_text = text_field("for");
  if (!for_text.ok()) return for_text.error();
  if (until->empty() == for_text->empty())
    return bad("give the silence either \"for\" (\"2h\") or \"until\" (a time or \"2h\")");
  if (!for_text->empty()) {
    auto d = parse_duration(*for_text);
    if (!d.ok()) return bad("for: " + d.error().message);
    silence.set_ends_us(starts + *d);
  } else {
    auto t = parse_time_arg(*until, now_us, TimeDirection::kFromNow);
    if (!t.ok()) return bad("until: " + t.error().message);
    silence.set_ends_us(*t);
  }
  if (silence.ends_us() <= starts) {
    return bad("the silence ends (" + format_rfc3339_ms(silence.ends_us()) +
               ") before it starts (" + format_rfc3339_ms(starts) + ")");
  }
  return silence;
}

}  // namespace regwatch::collector::http
