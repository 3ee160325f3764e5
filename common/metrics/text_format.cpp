#include "common/metrics/text_format.h"

#include <charconv>
#include <cmath>

namespace regwatch::metrics {
namespace {

bool name_char(char c, bool first, bool colon) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  const bool digit = c >= '0' && c <= '9';
  return letter || (colon && c == ':') || (!first && digit);
}

bool valid_name(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, colon)) return false;
  }
  return true;
}

std::string escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  return valid_name(name, true);
}

bool valid_label_name(std::string_view name) {
  return valid_name(name, false) && !name.starts_with("__") && name != "le";
}

std::string escape_help(std::string_view text) {
  return escape(text, false);
}

std::string escape_label_value(std::string_view value) {
  return escape(value, true);
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  // Exact integers (counts, Unix seconds) read best without an exponent.
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value));
    return std::string(buffer, end);
  }
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

void append_sample(std::string& out, std::string_view name, std::span<const std::string> names,
                   std::span<const std::string> values, std::string_view extra_name,
                   std::string_view extra_value, double value) {
  out += name;
  if (!names.empty() || !extra_name.empty()) {
    out += '{';
    bool first = true;
    const auto label = [&](std::string_view label_name, std::string_view label_value) {
      if (!first) out += ',';
      first = false;
      out += label_name;
      out += "=\"";
      out += escape_label_value(label_value);
      out += '"';
    };
    for (size_t i = 0; i < names.size() && i < values.size(); ++i) label(names[i], values[i]);
    if (!extra_name.empty()) label(extra_name, extra_value);
    out += '}';
  }
  out += ' ';
  out += format_value(value);
  out += '\n';
}

}  // namespace regwatch::metrics
