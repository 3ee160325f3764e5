#include "agent/syslog/syslog_header.h"

#include <array>
#include <cctype>
#include <charconv>

namespace regwatch::agent::syslog {
namespace {

constexpr size_t kMaxHeaderTokens = 48;

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

struct CiscoMessage {
  size_t start = std::string_view::npos;  // at '%'
  size_t end = 0;                         // after ':'
  std::string_view app, mnemonic;
  int severity = -1;
};

// Finds "%NAME(-NAME)*-D-NAME:" with D in 0..7.
CiscoMessage find_cisco_message(std::string_view line, size_t from) {
  CiscoMessage m;
  for (size_t p = line.find('%', from); p != std::string_view::npos; p = line.find('%', p + 1)) {
    size_t i = p + 1;
    size_t part_starts[16];
    size_t part_ends[16];
    size_t parts = 0;
    while (parts < 16) {
      size_t begin = i;
      while (i < line.size() && is_name_char(line[i])) ++i;
      if (i == begin) break;
      part_starts[parts] = begin;
      part_ends[parts] = i;
      ++parts;
      if (i < line.size() && line[i] == '-') {
        ++i;
        continue;
      }
      break;
    }
    if (parts < 3 || i >= line.size() || line[i] != ':') continue;
    const std::string_view sev =
        line.substr(part_starts[parts - 2], part_ends[parts - 2] - part_starts[parts - 2]);
    if (sev.size() != 1 || sev[0] < '0' || sev[0] > '7') continue;
    m.start = p;
    m.end = i + 1;
    m.app = line.substr(p + 1, part_ends[parts - 3] - (p + 1));
    m.mnemonic = line.substr(part_starts[parts - 1], part_ends[parts - 1] - part_starts[parts - 1]);
    m.severity = sev[0] - '0';
    return m;
  }
  return m;
}

struct Token {
  std::string_view text;
  size_t offset;
};

size_t tokenize(std::string_view area, size_t base, std::array<Token, kMaxHeaderTokens>& out) {
  size_t n = 0;
  size_t i = 0;
  while (i < area.size() && n < out.size()) {
    while (i < area.size() && (area[i] == ' ' || area[i] == '\t')) ++i;
    const size_t begin = i;
    while (i < area.size() && area[i] != ' ' && area[i] != '\t') ++i;
    if (i == begin) break;
    const std::string_view t = area.substr(begin, i - begin);
    if (t == ":") continue;  // CUCM viewers write "UTC :" and "3 :"
    out[n++] = Token{t, base + begin};
  }
  return n;
}

std::string_view strip_colon(std::string_view t) {
  while (!t.empty() && t.back() == ':') t.remove_suffix(1);
  return t;
}

bool all_digits(std::string_view t) {
  if (t.empty()) return false;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_host_like(std::string_view token) {
  const std::string_view t = strip_colon(token);
  if (t.empty() || t.size() > 255 || all_digits(t)) return false;
  if (t.size() == 6 && t.starts_with("local") && std::isdigit(static_cast<unsigned char>(t[5])))
    return false;
  bool letter_or_dot = false;
  for (char c : t) {
    const auto u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '.' && c != '-' && c != '_') return false;
    letter_or_dot = letter_or_dot || std::isalpha(u) || c == '.';
  }
  return letter_or_dot;
}

// "1d02h:", "2y10w:", "00:01:23:" (time since boot, no date).
bool is_uptime(std::string_view token) {
  const std::string_view t = strip_colon(token);
  if (t.size() >= 8 && t[2] == ':' && t[5] == ':' &&
      t.find_first_not_of("0123456789:.") == std::string_view::npos) {
    return true;
  }
  if (t.size() < 4 || t.size() > 8) return false;
  bool unit = false;
  for (char c : t) {
    if (std::isdigit(static_cast<unsigned char>(c))) continue;
    if (c != 'y' && c != 'w' && c != 'd' && c != 'h' && c != 'm') return false;
    unit = true;
  }
  return unit && std::isdigit(static_cast<unsigned char>(t[0]));
}

size_t skip_spaces(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

// Reads the Cisco header area (everything before the %-message).
void read_cisco_area(std::string_view line, size_t from, size_t to, SyslogHeader& h) {
  std::array<Token, kMaxHeaderTokens> tokens;
  const size_t n = tokenize(line.substr(from, to - from), from, tokens);
  std::array<std::string_view, kMaxHeaderTokens> texts;
  for (size_t k = 0; k < n; ++k) texts[k] = tokens[k].text;

  struct Found {
    size_t first, count;
    ParsedTimestamp ts;
  };
  std::optional<Found> first_ts, last_ts;
  for (size_t k = 0; k < n;) {
    if (auto ts = parse_timestamp(std::span<const std::string_view>(texts.data() + k, n - k))) {
      Found f{k, ts->tokens, *ts};
      if (!first_ts) first_ts = f;
      last_ts = f;
      k += ts->tokens;
    } else {
      ++k;
    }
  }
  size_t device_start = n;  // token index where the device's timestamp begins
  size_t relay_end = 0;     // token index just after the relay's timestamp
  if (last_ts) {
    const bool single = first_ts->first == last_ts->first;
    const bool tokens_after = last_ts->first + last_ts->count < n;
    if (single && tokens_after) {
      // "Feb  8 04:00:48 192.168.100.2 585917: %SEC-...": a receiver's prefix, no device time.
      h.relay_time = last_ts->ts;
      relay_end = last_ts->first + last_ts->count;
    } else {
      h.device_time = last_ts->ts;
      device_start = last_ts->first;
      const Token& a = tokens[last_ts->first];
      const Token& b = tokens[last_ts->first + last_ts->count - 1];
      h.device_time_text = strip_colon(line.substr(a.offset, b.offset + b.text.size() - a.offset));
      if (!single) {
        h.relay_time = first_ts->ts;
        relay_end = first_ts->first + first_ts->count;
      }
    }
  }
  if (h.relay_time) {
    for (size_t k = relay_end; k < device_start; ++k) {
      if (is_host_like(texts[k])) {
        h.relay_host = strip_colon(texts[k]);
        break;
      }
    }
  }
  const size_t host_search_end = h.device_time ? device_start : n;
  for (size_t k = host_search_end; k > relay_end; --k) {
    const std::string_view t = texts[k - 1];
    if (h.sequence == 0 && t.ends_with(':') && all_digits(strip_colon(t))) {
      const auto digits = strip_colon(t);
      std::from_chars(digits.data(), digits.data() + digits.size(), h.sequence);
    }
    if (h.device_host.empty() && is_host_like(t) && strip_colon(t) != h.relay_host) {
      h.device_host = strip_colon(t);
    }
  }
  if (!h.device_time && n > 0 && is_uptime(texts[n - 1])) h.uptime_stamp = true;
}

bool read_rfc5424(std::string_view line, size_t pos, SyslogHeader& h) {
  // "1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]"
  if (!line.substr(pos).starts_with("1 ")) return false;
  size_t i = pos + 2;
  std::string_view fields[5];
  for (auto& field : fields) {
    i = skip_spaces(line, i);
    const size_t begin = i;
    while (i < line.size() && line[i] != ' ') ++i;
    field = line.substr(begin, i - begin);
    if (field.empty()) return false;
  }
  std::optional<ParsedTimestamp> ts;
  if (fields[0] != "-") {
    std::string_view one[1] = {fields[0]};
    ts = parse_timestamp(one);
    if (!ts || !ts->iso) return false;
  }
  i = skip_spaces(line, i);
  if (i < line.size() && line[i] == '-') {
    ++i;
  } else {
    while (i < line.size() && line[i] == '[') {  // structured data: skip, honouring \] in values
      ++i;
      bool quoted = false;
      while (i < line.size()) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          i += 2;
          continue;
        }
        if (line[i] == '"') quoted = !quoted;
        if (line[i] == ']' && !quoted) break;
        ++i;
      }
      if (i < line.size()) ++i;
    }
  }
  i = skip_spaces(line, i);
  std::string_view msg = line.substr(std::min(i, line.size()));
  if (msg.starts_with("\xEF\xBB\xBF")) msg.remove_prefix(3);
  h.rfc5424 = true;
  h.device_time = ts;
  h.device_time_text = fields[0] == "-" ? std::string_view() : fields[0];
  if (fields[1] != "-") h.device_host = fields[1];
  h.body = msg;
  const size_t msg_offset = static_cast<size_t>(msg.data() - line.data());
  CiscoMessage m = find_cisco_message(line, msg_offset);
  if (m.start != std::string_view::npos) {
    h.cisco_message = true;
    h.app = m.app;
    h.mnemonic = m.mnemonic;
    h.message_severity = m.severity;
    h.body = line.substr(skip_spaces(line, m.end));
  }
  return true;
}

// "Mmm dd hh:mm:ss host tag: message"
void read_bsd(std::string_view line, size_t pos, SyslogHeader& h) {
  std::array<Token, kMaxHeaderTokens> tokens;
  const size_t n =
      tokenize(line.substr(pos, std::min<size_t>(line.size() - pos, 256)), pos, tokens);
  std::array<std::string_view, kMaxHeaderTokens> texts;
  for (size_t k = 0; k < n; ++k) texts[k] = tokens[k].text;
  auto ts = parse_timestamp(std::span<const std::string_view>(texts.data(), n));
  if (!ts || ts->iso || ts->tokens >= n) return;
  h.bsd = true;
  h.device_time = ts;
  const Token& last = tokens[ts->tokens - 1];
  h.device_time_text =
      strip_colon(line.substr(tokens[0].offset, last.offset + last.text.size() - tokens[0].offset));
  h.device_host = strip_colon(texts[ts->tokens]);
  const size_t after_host = tokens[ts->tokens].offset + tokens[ts->tokens].text.size();
  h.after_host = line.substr(skip_spaces(line, after_host));
  const size_t colon = line.find(": ", after_host);
  h.body = line.substr(colon == std::string_view::npos ? skip_spaces(line, after_host) : colon + 2);
}

}  // namespace

SyslogHeader parse_header(std::string_view line) {
  SyslogHeader h;
  size_t pos = 0;
  if (!line.empty() && line[0] == '<') {
    const size_t close = line.find('>');
    int pri = -1;
    if (close != std::string_view::npos && close >= 2 && close <= 4) {
      auto [end, ec] = std::from_chars(line.data() + 1, line.data() + close, pri);
      if (ec != std::errc() || end != line.data() + close) pri = -1;
    }
    if (pri >= 0 && pri <= 191) {
      h.facility = pri / 8;
      h.severity = pri % 8;
      pos = close + 1;
    } else {
      h.bad_pri = true;
      pos = close != std::string_view::npos && close < 8 ? close + 1 : 0;
    }
  }
  if (read_rfc5424(line, pos, h)) return h;
  const CiscoMessage m = find_cisco_message(line, pos);
  if (m.start == std::string_view::npos) {
    read_bsd(line, pos, h);
    if (!h.bsd) h.body = line.substr(pos);
    return h;
  }
  h.cisco_message = true;
  h.app = m.app;
  h.mnemonic = m.mnemonic;
  h.message_severity = m.severity;
  h.body = line.substr(skip_spaces(line, m.end));
  read_cisco_area(line, pos, m.start, h);
  return h;
}

}  // namespace regwatch::agent::syslog
