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
    // IOS-XR writes "%PKT_INFRA-LINK-3-UPDOWN : Interface ...".
    const size_t name_end = i;
    while (i < line.size() && i - name_end < 2 && line[i] == ' ') ++i;
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

// "RP/0/RSP0/CPU0", "LC/0/2/CPU0": an IOS-XR node (route processor or line card).
bool is_node_location(std::string_view t) {
  if (t.size() < 5 || t.find('/') == std::string_view::npos) return false;
  return t.starts_with("RP/") || t.starts_with("LC/") || t.starts_with("0/");
}

// "<189>" at the start of t: the PRI's value, or -1.
int leading_pri(std::string_view t, size_t& length) {
  length = 0;
  if (t.size() < 3 || t[0] != '<') return -1;
  const size_t close = t.find('>');
  if (close == std::string_view::npos || close < 2 || close > 4) return -1;
  int pri = -1;
  auto [end, ec] = std::from_chars(t.data() + 1, t.data() + close, pri);
  if (ec != std::errc() || end != t.data() + close || pri < 0 || pri > 191) return -1;
  length = close + 1;
  return pri;
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
    // IOS-XR glues the node location to the time: "RP/0/RSP0/CPU0:Mar" is two tokens.
    const size_t colon = t.find(':');
    if (colon != std::string_view::npos && colon + 1 < t.size() &&
        is_node_location(t.substr(0, colon)) && n + 1 < out.size()) {
      out[n++] = Token{t.substr(0, colon + 1), base + begin};
      out[n++] = Token{t.substr(colon + 1), base + begin + colon + 1};
      continue;
    }
    // A relay that archives the datagram whole keeps its PRI inside: "host <189>2: *Jan".
    size_t pri_length = 0;
    if (leading_pri(t, pri_length) >= 0 && pri_length < t.size() && n + 1 < out.size()) {
      out[n++] = Token{t.substr(0, pri_length), base + begin};
      out[n++] = Token{t.substr(pri_length), base + begin + pri_length};
      continue;
    }
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

// A token that can be the device's host: host-like (so no sequence number or IOS-XR node) and
// no uptime stamp ("2y10w:" has letters but is time since boot).
bool is_device_host(std::string_view token) {
  return is_host_like(token) && !is_uptime(token);
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
  size_t device_end = n;    // token index just after it
  size_t relay_end = 0;     // token index just after the relay's timestamp
  if (last_ts) {
    const bool single = first_ts->first == last_ts->first;
    const size_t after = last_ts->first + last_ts->count;
    // "Feb  8 04:00:48 192.168.100.2 585917: %SEC-...": a receiver's prefix, no device time.
    // "2018 Apr 20 13:15:07 nexus-switch %ETHPORT-...": one time and one host is the line's
    // own BSD-style header (NX-OS, or a device that stamps no time of its own); so is a time
    // followed by no host at all ("Jul  7 20:16:14.834 : ifmgr[214]: %PKT_INFRA-...").
    bool host_follows = false;
    for (size_t k = after; k < n; ++k) host_follows = host_follows || is_device_host(texts[k]);
    const bool bare_host_follows = after + 1 == n && host_follows;
    if (single && host_follows && !bare_host_follows) {
      h.relay_time = last_ts->ts;
      relay_end = after;
    } else {
      h.device_time = last_ts->ts;
      device_start = last_ts->first;
      device_end = after;
      const Token& a = tokens[last_ts->first];
      const Token& b = tokens[after - 1];
      h.device_time_text = strip_colon(line.substr(a.offset, b.offset + b.text.size() - a.offset));
      if (!single) {
        h.relay_time = first_ts->ts;
        relay_end = first_ts->first + first_ts->count;
      }
    }
  }
  if (h.relay_time) {
    for (size_t k = relay_end; k < device_start; ++k) {
      if (is_device_host(texts[k])) {
        h.relay_host = strip_colon(texts[k]);
        break;
      }
    }
  }
  for (size_t k = device_start; k > relay_end; --k) {
    const std::string_view t = texts[k - 1];
    size_t pri_length = 0;
    if (const int pri = leading_pri(t, pri_length); pri >= 0 && h.facility < 0 && !h.bad_pri) {
      h.facility = pri / 8;
      h.severity = pri % 8;
    }
    if (h.sequence == 0 && t.ends_with(':') && all_digits(strip_colon(t))) {
      const auto digits = strip_colon(t);
      std::from_chars(digits.data(), digits.data() + digits.size(), h.sequence);
    }
    if (is_node_location(strip_colon(t)) && h.node_location.empty()) {
      h.node_location = strip_colon(t);
    }
    if (h.device_host.empty() && is_device_host(t) && strip_colon(t) != h.relay_host) {
      h.device_host = strip_colon(t);
    }
  }
  // "*Oct 07 03:10:04: mydevice.com %CRYPTO-...": the host after the time.
  if (h.device_host.empty() && h.device_time) {
    for (size_t k = device_end; k < n; ++k) {
      if (is_device_host(texts[k])) {
        h.device_host = strip_colon(texts[k]);
        break;
      }
    }
  }
  if (!h.device_time && n > 0 && is_uptime(texts[n - 1])) h.uptime_stamp = true;
}

// "<191>2637085: rt401-rk30409: Aug 18 07:15:04.461 CEST: NTP Core (NOTICE): ...": a Cisco
// header (sequence numbers and a host, then the device's time) before free text. Returns the
// offset just after the time, or npos when the line does not start that way.
size_t cisco_header_end(std::string_view line, size_t pos) {
  std::array<Token, kMaxHeaderTokens> tokens;
  const size_t n =
      tokenize(line.substr(pos, std::min<size_t>(line.size() - pos, 256)), pos, tokens);
  std::array<std::string_view, kMaxHeaderTokens> texts;
  for (size_t k = 0; k < n; ++k) texts[k] = tokens[k].text;
  constexpr size_t kMaxLeadingTokens = 4;  // "seq: host: seq:" and the like
  for (size_t k = 0; k < n && k <= kMaxLeadingTokens; ++k) {
    const auto ts = parse_timestamp(std::span<const std::string_view>(texts.data() + k, n - k));
    if (ts && !ts->iso && k > 0) {  // k == 0 is a BSD line: read_bsd's
      const Token& last = tokens[k + ts->tokens - 1];
      return last.offset + last.text.size();
    }
    // Only the fields a Cisco header has may come before the time, each closed by ':'.
    if (!texts[k].ends_with(':') || !(all_digits(strip_colon(texts[k])) || is_host_like(texts[k])))
      return std::string_view::npos;
  }
  return std::string_view::npos;
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
    size_t pri_length = 0;
    if (const int pri = leading_pri(line, pri_length); pri >= 0) {
      h.facility = pri / 8;
      h.severity = pri % 8;
      pos = pri_length;
    } else {
      h.bad_pri = true;
      const size_t close = line.find('>');
      pos = close != std::string_view::npos && close < 8 ? close + 1 : 0;
    }
  }
  if (read_rfc5424(line, pos, h)) return h;
  const CiscoMessage m = find_cisco_message(line, pos);
  if (m.start == std::string_view::npos) {
    if (const size_t end = cisco_header_end(line, pos); end != std::string_view::npos) {
      h.cisco_header = true;
      read_cisco_area(line, pos, end, h);
      h.body = line.substr(skip_spaces(line, end));
      return h;
    }
    read_bsd(line, pos, h);
    if (!h.bsd) h.body = line.substr(pos);
    return h;
  }
  h.cisco_message = true;
  h.cisco_header = true;
  CiscoMessage message = m;
  // "%IOSXE-6-PLATFORM: R0/0: cpp_cp: ... %FW-6-SESS_AUDIT_TRAIL: ...": a platform process
  // relays another facility's message; the inner one is what happened.
  if (const CiscoMessage inner = find_cisco_message(line, m.end);
      inner.start != std::string_view::npos) {
    size_t outer_end = inner.start;
    while (outer_end > m.start && line[outer_end - 1] == ' ') --outer_end;
    h.outer_message = line.substr(m.start, outer_end - m.start);
    message = inner;
  }
  h.app = message.app;
  h.mnemonic = message.mnemonic;
  h.message_severity = message.severity;
  h.body = line.substr(skip_spaces(line, message.end));
  read_cisco_area(line, pos, m.start, h);
  return h;
}

}  // namespace regwatch::agent::syslog
