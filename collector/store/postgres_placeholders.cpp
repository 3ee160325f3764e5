#include "collector/store/postgres_placeholders.h"

#include <cstddef>

namespace regwatch::collector::store {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Where the quoted run that starts at `start` (a quote) ends: one past its closing quote, or the
// end of the text for one left open (the server then reports it). A doubled quote inside is the
// quote itself, which this handles for free: it closes and at once reopens the run.
size_t skip_quoted(std::string_view sql, size_t start) {
  const char quote = sql[start];
  const size_t close = sql.find(quote, start + 1);
  return close == std::string_view::npos ? sql.size() : close + 1;
}

size_t skip_line_comment(std::string_view sql, size_t start) {
  const size_t newline = sql.find('\n', start);
  return newline == std::string_view::npos ? sql.size() : newline + 1;
}

// PostgreSQL's block comments nest, so a "*/" inside a nested one does not end the outer.
size_t skip_block_comment(std::string_view sql, size_t start) {
  int depth = 0;
  size_t i = start;
  while (i + 1 < sql.size()) {
    if (sql[i] == '/' && sql[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (sql[i] == '*' && sql[i + 1] == '/') {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return sql.size();
}

}  // namespace

Result<PostgresSql> translate_placeholders(std::string_view sql) {
  PostgresSql out;
  out.text.reserve(sql.size() + 8);
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    size_t next = i + 1;
    if (c == '\'' || c == '"') {
      next = skip_quoted(sql, i);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      next = skip_line_comment(sql, i);
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      next = skip_block_comment(sql, i);
    } else if (c == '?') {
      size_t end = i + 1;
      int number = 0;
      while (end < sql.size() && is_digit(sql[end])) {
        // Past the limit the number is wrong however long it goes on: stop counting.
        if (number <= kMaxPlaceholder) number = number * 10 + (sql[end] - '0');
        ++end;
      }
      if (end == i + 1) {
        number = out.parameters + 1;
      } else if (number == 0 || number > kMaxPlaceholder) {
        return make_error("bad_placeholder", "parameter " + std::string(sql.substr(i, end - i)) +
                                                 " at offset " + std::to_string(i) +
                                                 ": numbers go from 1 to " +
                                                 std::to_string(kMaxPlaceholder));
      }
      if (number > kMaxPlaceholder) {
        return make_error("bad_placeholder",
                          "more than " + std::to_string(kMaxPlaceholder) + " parameters");
      }
      if (number > out.parameters) out.parameters = number;
      if (out.used.size() < static_cast<size_t>(number)) out.used.resize(number, false);
      out.used[static_cast<size_t>(number - 1)] = true;
      out.text += '$';
      out.text += std::to_string(number);
      i = end;
      continue;
    }
    out.text.append(sql.substr(i, next - i));
    i = next;
  }
  return out;
}

}  // namespace regwatch::collector::store
