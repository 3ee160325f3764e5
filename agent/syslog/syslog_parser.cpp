#include "agent/syslog/syslog_parser.h"

#include "agent/syslog/ciscolog_tags.h"
#include "agent/syslog/event_classifier.h"
#include "agent/syslog/syslog_header.h"
#include "agent/syslog/utf8_sanitize.h"
#include "common/net_prefix.h"

namespace regwatch::agent::syslog {
namespace {

// Computes the event time from the header, following the rules in
// docs/decisions.md: the device's own trusted time, else the receiver's prefix,
// else the receive time, flagged. Never another line's time.
void set_times(const SyslogHeader& h, const LineContext& ctx, ParsedLine& out) {
  auto& event = out.event;
  auto* info = event.mutable_time_info();
  const int64_t reference =
      ctx.reference_time_us != 0 ? ctx.reference_time_us : ctx.receive_time_us;
  auto resolve = [&](const ParsedTimestamp& ts, bool& year_inferred,
                     bool& zone_assumed) -> std::optional<int64_t> {
    year_inferred = false;
    zone_assumed = false;
    if (ts.unknown_time) return std::nullopt;
    if (ts.iso) return ts.utc_us;
    int offset = ts.utc_offset_minutes;
    if (!ts.zone_known) {
      offset = ctx.assumed_utc_offset_minutes;
      zone_assumed = true;
      if (ts.has_zone) out.anomalies.push_back("unknown_timezone");
    }
    return civil_to_unix_us(ts.civil, offset, reference, year_inferred);
  };
  std::optional<int64_t> device_us;
  bool device_year_inferred = false, device_zone_assumed = false;
  if (h.device_time) {
    device_us = resolve(*h.device_time, device_year_inferred, device_zone_assumed);
    info->set_device_time_text(std::string(h.device_time_text));
    if (h.device_time->marker) info->set_clock_marker(std::string(1, h.device_time->marker));
    if (device_us) info->set_device_time_us(*device_us);
    if (h.device_time->unknown_time) out.anomalies.push_back("unknown_device_time");
  }
  if (device_us && !(h.device_time->marker == '*')) {
    out.time_from_line = true;
    event.set_event_time_us(*device_us);
    info->set_year_inferred(device_year_inferred);
    info->set_timezone_assumed(device_zone_assumed);
    return;
  }
  info->set_device_time_untrusted(true);
  if (h.relay_time) {
    bool year_inferred = false, zone_assumed = false;
    if (auto relay_us = resolve(*h.relay_time, year_inferred, zone_assumed)) {
      out.time_from_line = true;
      event.set_event_time_us(*relay_us);
      info->set_year_inferred(year_inferred);
      info->set_timezone_assumed(zone_assumed);
      return;
    }
  }
  if (!h.device_time) out.anomalies.push_back("no_timestamp");
  event.set_event_time_us(ctx.receive_time_us);
}

// Who sent the line (the socket's peer) and what the line says about where it came from: a
// header host written as an address other than the sender's, or a relay's prefix, makes
// the sender a relay.
void set_provenance(const SyslogHeader& h, const LineContext& ctx, regwatch::v1::Event& event) {
  if (ctx.sender.empty()) return;  // replay: an archive has no sender
  auto* provenance = event.mutable_provenance();
  provenance->set_sender_address(ctx.sender);
  std::array<uint8_t, 16> ignored{};
  const bool host_is_address = parse_ip_literal(h.device_host, ignored) != 0;
  if (host_is_address && h.device_host != ctx.sender)
    provenance->set_stated_address(std::string(h.device_host));
  provenance->set_relayed(!provenance->stated_address().empty() || !h.relay_host.empty());
}

}  // namespace

ParsedLine parse_syslog_line(std::string_view input, const LineContext& ctx) {
  ParsedLine out;
  auto& event = out.event;
  event.set_source(regwatch::v1::SOURCE_SYSLOG);
  event.set_receive_time_us(ctx.receive_time_us);
  if (input.size() > kMaxLineBytes) {
    input = input.substr(0, kMaxLineBytes);
    out.anomalies.push_back("line_truncated");
  }
  while (!input.empty() && (input.back() == '\n' || input.back() == '\r' || input.back() == '\0')) {
    input.remove_suffix(1);
  }
  std::string* raw = event.mutable_raw();
  if (!sanitize_utf8(input, *raw)) out.anomalies.push_back("invalid_utf8");
  const std::string_view line(*raw);
  if (line.empty()) out.anomalies.push_back("empty_line");

  const SyslogHeader h = parse_header(line);
  if (h.bad_pri) out.anomalies.push_back("bad_pri");
  if (h.uptime_stamp) out.anomalies.push_back("uptime_timestamp");
  set_times(h, ctx, out);

  auto* syslog = event.mutable_syslog();
  syslog->set_facility(h.facility);
  // Rules and filters read the tag's severity: a "<0>" line whose tag says 4 is a 4.
  syslog->set_severity(h.message_severity >= 0 ? h.message_severity : h.severity);
  syslog->set_pri_severity(h.severity);
  syslog->set_app(std::string(h.app));
  syslog->set_mnemonic(std::string(h.mnemonic));
  syslog->set_host(std::string(h.device_host));
  syslog->set_relay_host(std::string(h.relay_host));
  syslog->set_sequence(h.sequence);
  out.recognised = h.cisco_message || h.cisco_header || h.rfc5424 || h.bsd;

  Tags tags;
  std::string_view text = h.body;
  if (h.cisco_message) {
    TagParse parsed = parse_ciscolog_tags(h.body);
    if (parsed.bad_escape) out.anomalies.push_back("bad_tag_escape");
    if (parsed.unterminated) out.anomalies.push_back("unterminated_tags");
    tags = std::move(parsed.tags);
    text = parsed.text;
    // Not CiscoLog tags, but where a reader of the event looks for "what else the header said".
    if (!h.outer_message.empty()) tags.emplace_back("outer_message", std::string(h.outer_message));
    if (!h.node_location.empty()) tags.emplace_back("node", std::string(h.node_location));
    for (const auto& [key, value] : tags) {
      auto* tag = syslog->add_tags();
      tag->set_key(key);
      tag->set_value(value);
    }
    classify_message(MessageParts{h.app, h.mnemonic, tags, text, h.device_host}, event);
  } else {
    // No %APP-SEV-MNEMONIC: free text, as phones write it. Classified from the host on, so
    // that no "tag:" guess cuts the sentence.
    const std::string_view message = h.bsd ? h.after_host : text;
    classify_message(MessageParts{{}, {}, tags, message, h.device_host}, event);
    if (event.kind() != regwatch::v1::SYSLOG_OTHER) out.recognised = true;
    if (!out.recognised) out.anomalies.push_back("unparsed");
  }
  syslog->set_text(std::string(text));

  std::string_view origin = h.device_host;
  if (origin.empty()) origin = h.relay_host;
  if (origin.empty()) origin = tag_value(tags, "NodeID");
  event.set_origin(origin.empty() ? ctx.sender : std::string(origin));
  set_provenance(h, ctx, event);
  return out;
}

}  // namespace regwatch::agent::syslog
