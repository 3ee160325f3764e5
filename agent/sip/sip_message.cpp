#include "agent/sip/sip_message.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "agent/sip/sip_text.h"
#include "common/ascii_case.h"
#include "common/device_name.h"

namespace regwatch::agent::sip {
namespace {

// A bound on the Via hosts kept: a request crosses a handful of proxies; a message with more
// is cut (and counted in truncated_fields) rather than kept whole.
constexpr size_t kMaxViaHosts = 32;

template <typename Number>
std::optional<Number> parse_decimal(std::string_view text) {
  Number value{};
  if (text.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Copies text into out, cut at kMaxSipField (counted).
void keep(std::string& out, std::string_view text, size_t& truncated) {
  if (text.size() > kMaxSipField) {
    text = text.substr(0, kMaxSipField);
    ++truncated;
  }
  out.assign(text.data(), text.size());
}

// The first of a or b in text, or npos: text.find_first_of with a two-character set calls
// memchr on the set for every character of text; this compares directly (a URI's host end).
size_t find_either(std::string_view text, char a, char b) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == a || text[i] == b) return i;
  }
  return std::string_view::npos;
}

std::string_view unquote(std::string_view text) {
  text = trim(text);
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  return text;
}

// The position of the first c in text outside double quotes (and, when angle is set, outside
// <...>), or npos. A backslash escapes the next character inside quotes (RFC 3261 quoted-pair).
size_t find_outside_quotes(std::string_view text, char c, bool angle = false) {
  // Most text before the c sought has no quote: two memchr calls then find it, and the scan a
  // character at a time starts only at the first quote (measured: Contact parameters cost
  // about half as much; docs/performance.md "SIP capture").
  size_t start = 0;
  if (!angle) {
    const size_t first = text.find(c);
    const size_t quote = text.substr(0, first).find('"');
    if (quote == std::string_view::npos) return first;
    start = quote;
  }
  bool quoted = false;
  int depth = 0;
  for (size_t i = start; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '\\') {
        ++i;
      } else if (ch == '"') {
        quoted = false;
      }
      continue;
    }
    if (ch == '"') {
      quoted = true;
    } else if (angle && ch == '<') {
      ++depth;
    } else if (angle && ch == '>' && depth > 0) {
      --depth;
    } else if (ch == c && depth == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

// Calls on_item for each comma-separated element of a header value (Via, Contact); commas
// inside quotes or <...> do not separate. on_item returns false to stop.
template <typename OnItem>
void for_each_item(std::string_view value, OnItem&& on_item) {
  // Most values are one item (a phone's Contact, a Via): when memchr finds no comma at all,
  // the quote-aware scan for one is skipped.
  if (value.find(',') == std::string_view::npos) {
    const std::string_view item = trim(value);
    if (!item.empty()) on_item(item);
    return;
  }
  while (true) {
    const size_t comma = find_outside_quotes(value, ',', true);
    const std::string_view item = trim(value.substr(0, comma));
    if (!item.empty() && !on_item(item)) return;
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

// Calls on_param(name, value) for each ;name[=value] in params (which starts at its first ';'
// or is empty); value is unquoted.
template <typename OnParam>
void for_each_param(std::string_view params, OnParam&& on_param) {
  while (!params.empty()) {
    const size_t start = params.find(';');
    if (start == std::string_view::npos) return;
    params.remove_prefix(start + 1);
    const size_t end = find_outside_quotes(params, ';');
    const std::string_view param = params.substr(0, end);
    const size_t equals = param.find('=');
    on_param(trim(param.substr(0, equals)), equals == std::string_view::npos
                                                ? std::string_view()
                                                : unquote(param.substr(equals + 1)));
    if (end == std::string_view::npos) return;
    params.remove_prefix(end);
  }
}

// sip:user:password@host:port;uri-params?headers, or tel:number;params.
void parse_uri(std::string_view text, SipUri& uri, size_t& truncated) {
  text = trim(text);
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return;
  uri.scheme = ascii_lower(text.substr(0, std::min(colon, size_t{16})));
  std::string_view rest = text.substr(colon + 1);
  if (const size_t question = rest.find('?'); question != std::string_view::npos) {
    rest = rest.substr(0, question);
  }
  if (uri.scheme == "tel") {
    const size_t semicolon = rest.find(';');
    keep(uri.user, rest.substr(0, semicolon), truncated);
    return;
  }
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    keep(uri.user, userinfo.substr(0, userinfo.find(':')), truncated);
    rest.remove_prefix(at + 1);
  }
  std::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      host = rest.substr(
          1, rest.find(';') == std::string_view::npos ? rest.size() - 1 : rest.find(';') - 1);
      rest = {};
    } else {
      host = rest.substr(1, close - 1);
      rest.remove_prefix(close + 1);
    }
  } else {
    const size_t end = find_either(rest, ':', ';');
    host = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  keep(uri.host, host, truncated);
  if (!rest.empty() && rest.front() == ':') {
    const size_t end = rest.find(';');
    uri.port =
        parse_decimal<uint16_t>(rest.substr(1, end == std::string_view::npos ? end : end - 1));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  for_each_param(rest, [&](std::string_view name, std::string_view value) {
    if (iequals(name, "transport")) uri.transport = ascii_lower(value.substr(0, 16));
  });
}

// A From, To or Contact value: name-addr ("Name" <uri>;params) or addr-spec (uri;params).
// Fills uri and returns the header's parameters (from their first ';', or empty).
std::string_view parse_address(std::string_view value, SipUri& uri, size_t& truncated) {
  const size_t open = find_outside_quotes(value, '<');
  if (open != std::string_view::npos) {
    const size_t close = value.find('>', open);
    if (close == std::string_view::npos) {
      parse_uri(value.substr(open + 1), uri, truncated);
      return {};
    }
    parse_uri(value.substr(open + 1, close - open - 1), uri, truncated);
    return value.substr(close + 1);
  }
  // addr-spec: RFC 3261 20.10 reads every parameter after the URI as the header's.
  const size_t semicolon = value.find(';');
  parse_uri(value.substr(0, semicolon), uri, truncated);
  if (semicolon == std::string_view::npos) return {};
  const std::string_view params = value.substr(semicolon);
  for_each_param(params, [&](std::string_view name, std::string_view param_value) {
    if (iequals(name, "transport")) uri.transport = ascii_lower(param_value.substr(0, 16));
  });
  return params;
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f');
}

// <urn:uuid:00000000-0000-0000-0000-001122334455> -> "00:11:22:33:44:55": Cisco phones put
// their MAC in the last group behind zeros; any other UUID is not read as a MAC.
std::string instance_mac(std::string_view instance) {
  instance = trim(instance);
  if (instance.size() >= 2 && instance.front() == '<' && instance.back() == '>') {
    instance = instance.substr(1, instance.size() - 2);
  }
  constexpr std::string_view kPrefix = "urn:uuid:00000000-0000-0000-0000-";
  if (instance.size() != kPrefix.size() + 12 || !istarts_with(instance, kPrefix)) return {};
  const std::string_view hex = instance.substr(kPrefix.size());
  if (!std::all_of(hex.begin(), hex.end(), is_hex)) return {};
  std::string mac;
  mac.reserve(17);
  for (size_t i = 0; i < 12; ++i) {
    if (i > 0 && i % 2 == 0) mac.push_back(':');
    mac.push_back(lower(hex[i]));
  }
  return mac;
}

void parse_contact(std::string_view value, SipMessage& message) {
  for_each_item(value, [&](std::string_view item) {
    if (item == "*") {
      if (!message.has_contact) message.contact_star = true;
      message.has_contact = true;
      return false;
    }
    // The first Contact fills the message's contact fields; each one is a binding.
    const bool first = !message.has_contact;
    message.has_contact = true;
    SipUri other;
    SipUri& uri = first ? message.contact : other;
    const std::string_view params = parse_address(item, uri, message.truncated_fields);
    std::optional<uint32_t> expires;
    for_each_param(params, [&](std::string_view name, std::string_view param_value) {
      if (iequals(name, "expires")) {
        expires = parse_decimal<uint32_t>(param_value);
      } else if (!first) {
        return;
      } else if (iequals(name, "+sip.instance")) {
        message.instance_mac = instance_mac(param_value);
      } else if (iequals(name, "+u.sip!devicename.ccm.cisco.com")) {
        keep(message.device_name, param_value, message.truncated_fields);
      } else if (iequals(name, "+u.sip!model.ccm.cisco.com")) {
        keep(message.model, param_value, message.truncated_fields);
      }
    });
    if (first) message.contact_expires = expires;
    if (message.bindings.size() >= kMaxSipBindings) {
      ++message.truncated_fields;
      return false;
    }
    message.bindings.push_back({uri.user, uri.host, expires});
    return true;
  });
}

// SIP/2.0/UDP host:port;branch=...;received=...;rport=...
void parse_via(std::string_view value, SipMessage& message) {
  for_each_item(value, [&](std::string_view item) {
    if (message.via_hosts.size() >= kMaxViaHosts) {
      ++message.truncated_fields;
      return false;
    }
    // sent-protocol (three slash-separated tokens, spaces allowed around the slashes).
    size_t slashes = 0;
    size_t i = 0;
    for (; i < item.size() && slashes < 2; ++i) {
      if (item[i] == '/') ++slashes;
    }
    while (i < item.size() && is_space(item[i])) ++i;
    const size_t transport_end = std::min(item.find_first_of(" \t", i), item.size());
    const std::string_view transport = item.substr(i, transport_end - i);
    std::string_view sent_by = trim(item.substr(transport_end));
    sent_by = sent_by.substr(0, sent_by.find(';'));
    std::string_view host;
    if (!sent_by.empty() && sent_by.front() == '[') {
      host = sent_by.substr(1, sent_by.find(']') == std::string_view::npos ? sent_by.size() - 1
                                                                           : sent_by.find(']') - 1);
    } else {
      host = trim(sent_by.substr(0, sent_by.find(':')));
    }
    if (message.via_hosts.empty()) {
      keep(message.via_transport, transport.substr(0, 16), message.truncated_fields);
    }
    keep(message.via_hosts.emplace_back(), host, message.truncated_fields);
    return true;
  });
}

void append_joined(std::string& out, std::string_view text, size_t& truncated) {
  if (!out.empty()) {
    if (out.size() + 2 > kMaxSipField) {
      ++truncated;
      return;
    }
    out += "; ";
  }
  const size_t room = kMaxSipField - out.size();
  if (text.size() > room) {
    text = text.substr(0, room);
    ++truncated;
  }
  out.append(text.data(), text.size());
}

enum class Header {
  kOther,
  kVia,
  kFrom,
  kTo,
  kContact,
  kCallId,
  kCSeq,
  kContentLength,
  kContentType,
  kExpires,
  kUserAgent,
  kServer,
  kAuthorization,
  kWarning,
  kReason,
};

Header header_of(std::string_view name) {
  if (name.size() == 1) {
    switch (lower(name[0])) {
      case 'v': return Header::kVia;
      case 'f': return Header::kFrom;
      case 't': return Header::kTo;
      case 'm': return Header::kContact;
      case 'i': return Header::kCallId;
      case 'l': return Header::kContentLength;
      case 'c': return Header::kContentType;
      default: return Header::kOther;
    }
  }
  struct Name {
    std::string_view text;
    Header header;
  };
  static constexpr std::array<Name, 14> kNames{{
      {"Via", Header::kVia},
      {"From", Header::kFrom},
      {"To", Header::kTo},
      {"Contact", Header::kContact},
      {"Call-ID", Header::kCallId},
      {"CSeq", Header::kCSeq},
      {"Content-Length", Header::kContentLength},
      {"Content-Type", Header::kContentType},
      {"Expires", Header::kExpires},
      {"User-Agent", Header::kUserAgent},
      {"Server", Header::kServer},
      {"Authorization", Header::kAuthorization},
      {"Proxy-Authorization", Header::kAuthorization},
      {"Warning", Header::kWarning},
  }};
  for (const Name& known : kNames) {
    if (iequals(name, known.text)) return known.header;
  }
  if (iequals(name, "Reason")) return Header::kReason;
  return Header::kOther;
}

struct Seen {
  bool call_id = false;
  bool cseq = false;
};

// One header, its value unfolded; an Error for the ones whose damage makes the message
// unusable (CSeq, Content-Length).
std::optional<Error> apply_header(Header header, std::string_view value, SipMessage& message,
                                  Seen& seen) {
  size_t& truncated = message.truncated_fields;
  switch (header) {
    case Header::kOther: break;
    case Header::kVia: parse_via(value, message); break;
    case Header::kFrom:
      if (message.from.scheme.empty()) parse_address(value, message.from, truncated);
      break;
    case Header::kTo:
      if (message.to.scheme.empty()) {
        const std::string_view params = parse_address(value, message.to, truncated);
        for_each_param(params, [&](std::string_view name, std::string_view param_value) {
          if (iequals(name, "tag")) keep(message.to_tag, param_value, truncated);
        });
      }
      break;
    case Header::kContact: parse_contact(value, message); break;
    case Header::kCallId:
      if (!seen.call_id) {
        keep(message.call_id, value, truncated);
        seen.call_id = !message.call_id.empty();
      }
      break;
    case Header::kCSeq: {
      if (seen.cseq) break;
      const size_t space = value.find_first_of(" \t");
      const auto number = parse_decimal<uint32_t>(value.substr(0, space));
      const std::string_view method =
          space == std::string_view::npos ? std::string_view() : trim(value.substr(space));
      if (!number || method.empty() || !std::all_of(method.begin(), method.end(), is_token_char)) {
        return Error{"bad_cseq", "CSeq is not a number and a method"};
      }
      message.cseq = *number;
      keep(message.cseq_method, method, truncated);
      seen.cseq = true;
      break;
    }
    case Header::kContentLength: {
      const auto length = parse_decimal<size_t>(value);
      if (!length || (message.content_length && *message.content_length != *length)) {
        return Error{"bad_content_length", "Content-Length is not one number"};
      }
      message.content_length = length;
      break;
    }
    case Header::kContentType: keep(message.content_type, value, truncated); break;
    case Header::kExpires: message.expires = parse_decimal<uint32_t>(value); break;
    case Header::kUserAgent: keep(message.user_agent, value, truncated); break;
    case Header::kServer: keep(message.server, value, truncated); break;
    case Header::kAuthorization: message.has_authorization = true; break;
    case Header::kWarning: append_joined(message.warning, value, truncated); break;
    case Header::kReason:
      if (message.reason.empty()) keep(message.reason, value, truncated);
      if (!message.cisco_alarm) message.cisco_alarm = parse_cisco_alarm(value);
      break;
  }
  return std::nullopt;
}

// SIP/2.0 200 OK, or REGISTER sip:cucm SIP/2.0; an Error names what it is not.
std::optional<Error> parse_start_line(std::string_view line, SipMessage& message) {
  size_t& truncated = message.truncated_fields;
  if (istarts_with(line, "SIP/")) {
    // SIP/2.0 SP 3DIGIT SP Reason-Phrase
    if (!istarts_with(line, "SIP/2.0 ") || line.size() < 11) {
      return Error{"bad_status_line", "not SIP/2.0 and a status code"};
    }
    const std::string_view code = line.substr(8, 3);
    const auto status = parse_decimal<int>(code);
    if (!status || *status < 100 || *status > 699 || (line.size() > 11 && line[11] != ' ')) {
      return Error{"bad_status_line", "status code is not 100-699"};
    }
    message.status = *status;
    keep(message.reason_phrase, trim(line.substr(std::min(line.size(), size_t{12}))), truncated);
    return std::nullopt;
  }
  const size_t first_space = line.find(' ');
  const size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == 0 || last_space == first_space) {
    return Error{"not_sip", "start line is neither a SIP request nor a status line"};
  }
  const std::string_view method = line.substr(0, first_space);
  const std::string_view uri = trim(line.substr(first_space + 1, last_space - first_space - 1));
  if (!std::all_of(method.begin(), method.end(), is_token_char) || uri.empty() ||
      line.substr(last_space + 1) != "SIP/2.0") {
    return Error{"not_sip", "start line is neither a SIP request nor a status line"};
  }
  message.request = true;
  keep(message.method, method, truncated);
  keep(message.request_uri, uri, truncated);
  return std::nullopt;
}

void clear_uri(SipUri& uri) {
  uri.scheme.clear();
  uri.user.clear();
  uri.host.clear();
  uri.port.reset();
  uri.transport.clear();
}

// Every field back to its default, the strings keeping their capacity (assigning a fresh
// SipMessage would free them, and the next parse allocate them again). A field added to
// SipMessage must be cleared here too (tests/sip: "ReusedMessageIsCleared").
void clear_message(SipMessage& m) {
  m.request = false;
  m.method.clear();
  m.request_uri.clear();
  m.status = 0;
  m.reason_phrase.clear();
  m.call_id.clear();
  m.cseq = 0;
  m.cseq_method.clear();
  clear_uri(m.from);
  clear_uri(m.to);
  m.to_tag.clear();
  m.has_contact = false;
  m.contact_star = false;
  clear_uri(m.contact);
  m.contact_expires.reset();
  m.device_name.clear();
  m.instance_mac.clear();
  m.model.clear();
  m.expires.reset();
  m.user_agent.clear();
  m.server.clear();
  m.via_hosts.clear();
  m.bindings.clear();
  m.via_transport.clear();
  m.has_authorization = false;
  m.warning.clear();
  m.reason.clear();
  m.cisco_alarm.reset();
  m.content_type.clear();
  m.content_length.reset();
  m.head_bytes = 0;
  m.truncated_fields = 0;
}

}  // namespace

Result<SipMessage> parse_sip_message(std::span<const uint8_t> bytes) {
  SipMessage message;
  Status status = parse_sip_message(bytes, message);
  if (!status.ok()) return status.error();
  return message;
}

Status parse_sip_message(std::span<const uint8_t> bytes, SipMessage& message) {
  clear_message(message);
  if (bytes.empty()) return Error{"empty", "empty message"};
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());

  const size_t start_end = text.substr(0, kMaxSipHead).find('\n');
  const std::string_view start_line =
      trim(text.substr(0, start_end == std::string_view::npos ? kMaxSipHead : start_end));
  if (auto error = parse_start_line(start_line, message)) return std::move(*error);

  const size_t head_end = find_head_end(text, kMaxSipHead);
  if (head_end == std::string_view::npos) {
    if (text.size() > kMaxSipHead) return Error{"head_too_long", "no blank line in 16 KiB"};
    return Error{"no_header_end", "the headers do not end in a blank line"};
  }
  message.head_bytes = head_end;

  // Header lines, each with the lines folded onto it; a folded header is unfolded into scratch
  // (rare: the common header is one line and read in place).
  std::string scratch;
  Seen seen;
  size_t pos = start_end + 1;
  while (pos < head_end) {
    size_t line_end = text.find('\n', pos);
    std::string_view line = trim(text.substr(pos, line_end - pos));
    size_t next = line_end + 1;
    if (line.empty()) break;  // the blank line
    const size_t colon = line.find(':');
    const bool folded = next < head_end && is_space(text[next]);
    if (colon == std::string_view::npos || colon == 0) {
      // Not a header: skipped with its continuations (RFC 3261 leaves it to the receiver).
      while (next < head_end && is_space(text[next])) next = text.find('\n', next) + 1;
      pos = next;
      continue;
    }
    const std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (folded) {
      scratch.assign(value.data(), value.size());
      while (next < head_end && is_space(text[next])) {
        line_end = text.find('\n', next);
        const std::string_view more = trim(text.substr(next, line_end - next));
        if (!more.empty()) {
          if (!scratch.empty()) scratch.push_back(' ');
          scratch.append(more.data(), more.size());
        }
        next = line_end + 1;
      }
      value = scratch;
    }
    if (auto error = apply_header(header_of(name), value, message, seen)) return std::move(*error);
    pos = next;
  }
  if (!seen.call_id) return Error{"missing_call_id", "no Call-ID header"};
  if (!seen.cseq) return Error{"bad_cseq", "no CSeq header"};
  return Ok{};
}

std::optional<CiscoAlarm> parse_cisco_alarm(std::string_view reason_value) {
  // Reason: SIP;cause=200;text="cisco-alarm:25 Name=SEP... Load=... Last=..."
  std::string_view text;
  bool found = false;
  for_each_param(reason_value.substr(std::min(reason_value.size(), reason_value.find(';'))),
                 [&](std::string_view name, std::string_view value) {
                   if (!found && iequals(name, "text")) {
                     text = value;
                     found = true;
                   }
                 });
  text = trim(text);
  constexpr std::string_view kPrefix = "cisco-alarm:";
  if (!found || !istarts_with(text, kPrefix)) return std::nullopt;
  text.remove_prefix(kPrefix.size());
  const size_t number_end = std::min(text.find_first_of(" \t"), text.size());
  const auto number = parse_decimal<uint32_t>(text.substr(0, number_end));
  if (!number) return std::nullopt;
  CiscoAlarm alarm;
  alarm.alarm = *number;
  text.remove_prefix(number_end);
  size_t truncated = 0;  // an alarm's values are cut like any field; the count is the message's
  while (!text.empty()) {
    const size_t start = text.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const size_t end = std::min(text.find_first_of(" \t"), text.size());
    const std::string_view pair = text.substr(0, end);
    text.remove_prefix(end);
    const size_t equals = pair.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view key = pair.substr(0, equals);
    const std::string_view value = pair.substr(equals + 1);
    if (iequals(key, "Name")) {
      keep(alarm.device_name, value, truncated);
    } else if (iequals(key, "Load") || (iequals(key, "ActiveLoad") && alarm.load.empty())) {
      keep(alarm.load, value, truncated);  // newer firmware (78xx 12.x, Jabber): ActiveLoad=
    } else if (iequals(key, "Last")) {
      keep(alarm.last, value, truncated);
    }
  }
  return alarm;
}

std::string sip_device_name(const SipMessage& message) {
  // Upper case as CUCM writes device names: the same phone by its syslog and its REGISTER.
  if (!message.device_name.empty()) return ascii_upper(message.device_name);
  for (const SipUri* uri : {&message.contact, &message.to}) {
    std::string name = ascii_upper(uri->user);
    if (!mac_from_device_name(name).empty()) return name;
  }
  return {};
}

}  // namespace regwatch::agent::sip
