#pragma once
// The pieces of the Prometheus text exposition format 0.0.4 (what /metrics serves, content
// type kContentType): escaping, numbers, and one sample line. Pure; Registry::exposition()
// puts them together.
#include <span>
#include <string>
#include <string_view>

namespace regwatch::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved by Prometheus), not "le".
bool valid_label_name(std::string_view name);

// HELP text: backslash and newline escaped.
std::string escape_help(std::string_view text);
// A label value: backslash, double quote and newline escaped.
std::string escape_label_value(std::string_view value);
// A sample value: integers without a fraction, else the shortest form that reads back the
// same double; NaN, +Inf, -Inf as Prometheus spells them.
std::string format_value(double value);

// Appends `name{l1="v1",...,extra_name="extra_value"} value\n`; the braces are left out
// when there are no labels. names and values have the same size; extra_name may be empty.
void append_sample(std::string& out, std::string_view name, std::span<const std::string> names,
                   std::span<const std::string> values, std::string_view extra_name,
                   std::string_view extra_value, double value);

}  // namespace regwatch::metrics
