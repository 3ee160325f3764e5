#include "agent/sip/sip_analyzer.h"

#include <bitset>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include "agent/capture/endpoint.h"
#include "agent/capture/tcp_reassembler.h"
#include "agent/sip/sip_framer.h"
#include "agent/sip/sip_message.h"
#include "agent/sip/sip_phone_tracker.h"
#include "common/event_kind.h"
#include "common/proto_utf8.h"

namespace regwatch::agent::sip {
namespace {

constexpr int64_t kExpiryScanUs = 60'000'000;  // idle timeouts are minutes: no need to look often

// A TCP connection by its two ends, whichever way a segment goes.
struct FlowKey {
  capture::Endpoint low, high;
  bool operator==(const FlowKey&) const = default;
};

struct FlowKeyHash {
  size_t operator()(const FlowKey& k) const noexcept {
    const capture::EndpointHash hash;
    return hash(k.low) * 31 + hash(k.high);
  }
};

bool before(const capture::Endpoint& a, const capture::Endpoint& b) {
  if (a.address != b.address) return a.address < b.address;
  return a.port < b.port;
}

FlowKey flow_key(const capture::Endpoint& a, const capture::Endpoint& b) {
  return before(a, b) ? FlowKey{a, b} : FlowKey{b, a};
}

// Only CR and LF: a keep-alive (RFC 5626), not a message.
bool is_crlf_keepalive(std::span<const uint8_t> payload) {
  for (const uint8_t c : payload) {
    if (c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace

struct SipAnalyzer::Parts {
  struct Stream {
    capture::TcpReassembler bytes;
    SipFramer frames;
  };
  struct Flow {
    uint64_t id = 0;
    bool tls = false;
    capture::Endpoint client, server;  // server: the SIP port's end
    int64_t opened_us = 0;
    int64_t last_seen_us = 0;
    uint16_t vlan = 0;
    Stream up, down;  // client -> server, server -> client
  };
  // Reassembled bytes of one direction into its framer, each message then parsed.
  struct ToFramer final : capture::TcpReassembler::Sink {
    ToFramer(Parts& p, Stream& s, const SipPacketInfo& i, int64_t t)
        : parts(p), stream(s), info(i), time_us(t) {}
    void data(std::span<const uint8_t> bytes) override {
      const size_t before = stream.frames.held_bytes();
      stream.frames.feed(
          bytes,
          [this](std::span<const uint8_t> message) { parts.message(message, info, time_us); },
          parts.framing);
      parts.framer_held_bytes += stream.frames.held_bytes();
      parts.framer_held_bytes -= before;
      // The partial messages of all connections together share the reassembly's total bound:
      // 64 KiB per direction over 200,000 connections would otherwise be 26 GB.
      if (parts.framer_held_bytes > parts.settings.max_held_bytes_total) {
        ++parts.stats.anomalies["sip_held_budget_full"];
        gap();
      }
    }
    void gap() override {
      parts.framer_held_bytes -= stream.frames.held_bytes();
      stream.frames.lost_sync();
    }
    Parts& parts;
    Stream& stream;
    const SipPacketInfo& info;
    int64_t time_us;
  };

  Parts(SipSettings s, capture::EventSink out)
      : settings(std::move(s)),
        sink(std::move(out)),
        held_budget{0, settings.max_held_bytes_total, settings.max_held_bytes_per_direction},
        tracker(settings, [this](regwatch::v1::Event e) { emit(std::move(e)); }) {
    for (const uint16_t port : settings.ports) sip_ports.set(port);
    for (const uint16_t port : settings.tls_ports) tls_ports.set(port);
  }

  void emit(regwatch::v1::Event e) {
    ++events_by_kind[e.kind()];
    e.set_receive_time_us(e.event_time_us());
    // Wire text (a Warning, a User-Agent) need not be UTF-8: an event the spool cannot read
    // back would be lost, so every string is made valid first.
    if (!make_strings_utf8(e)) ++stats.anomalies["sip_invalid_utf8"];
    sink(std::move(e));
  }

  void message(std::span<const uint8_t> bytes, const SipPacketInfo& info, int64_t time_us) {
    const Status parsed = parse_sip_message(bytes, scratch_message);
    if (!parsed.ok()) {
      ++stats.anomalies["sip_" + parsed.error().code];
      tracker.advance(time_us);
      return;
    }
    ++stats.messages;
    const SipMessage& m = scratch_message;
    ++stats.messages_by_type[m.request ? m.method : std::to_string(m.status)];
    if (m.truncated_fields) stats.anomalies["sip_field_truncated"] += m.truncated_fields;
    tracker.on_message(m, info, time_us);
  }

  Flow* flow_for(const capture::TcpSegment& s, bool tls, int64_t time_us) {
    const capture::Endpoint src{s.src, s.src_port}, dst{s.dst, s.dst_port};
    const FlowKey key = flow_key(src, dst);
    if (const auto found = flows.find(key); found != flows.end()) return found->second.get();
    if (s.rst || (s.fin && s.payload.empty())) return nullptr;  // the tail of one never seen
    if (flows.size() >= settings.max_connections) {
      ++stats.connections_rejected;
      return nullptr;
    }
    auto flow = std::make_unique<Flow>();
    flow->id = ++next_flow_id;
    flow->tls = tls;
    // The server is the end on a SIP port; when both are, the one the first segment went to.
    const bool dst_is_server = sip_ports[s.dst_port] || tls_ports[s.dst_port];
    flow->server = dst_is_server ? dst : src;
    flow->client = dst_is_server ? src : dst;
    flow->opened_us = time_us;
    flow->vlan = s.vlan;
    ++stats.connections_opened;
    return flows.emplace(key, std::move(flow)).first->second.get();
  }

  // What a flow's framers hold goes back to the shared bound when it goes.
  void release(const Flow& flow) {
    framer_held_bytes -= flow.up.frames.held_bytes() + flow.down.frames.held_bytes();
  }

  void drop(const capture::TcpSegment& s) {
    const auto found = flows.find(flow_key({s.src, s.src_port}, {s.dst, s.dst_port}));
    if (found == flows.end()) return;
    release(*found->second);
    flows.erase(found);
  }

  void expire(int64_t now_us) {
    const int64_t idle_us = int64_t{settings.idle_connection_timeout_s} * 1'000'000;
    for (auto it = flows.begin(); it != flows.end();) {
      if (now_us - it->second->last_seen_us > idle_us) {
        ++stats.connections_expired;
        tracker.on_connection_forgotten(it->second->id);
        release(*it->second);
        it = flows.erase(it);
      } else {
        ++it;
      }
    }
  }

  void expire_if_due(int64_t time_us) {
    if (time_us < next_expiry_us) return;
    expire(time_us);
    next_expiry_us = time_us + kExpiryScanUs;
  }

  SipSettings settings;
  capture::EventSink sink;
  std::bitset<65536> sip_ports, tls_ports;
  capture::HeldBudget held_budget;  // before flows: the flows give their bytes back to it
  capture::ReassemblyCounters reassembly;
  SipFramerCounters framing;
  SipPhoneTracker tracker;
  SipMessage scratch_message;  // every message is parsed into it: its strings are reused
  std::unordered_map<FlowKey, std::unique_ptr<Flow>, FlowKeyHash> flows;
  uint64_t next_flow_id = 0;
  size_t framer_held_bytes = 0;  // partial messages held by every connection's framers
  int64_t next_expiry_us = 0;
  std::map<regwatch::v1::EventKind, uint64_t> events_by_kind;
  SipStats stats;
};

SipAnalyzer::SipAnalyzer(SipSettings settings, capture::EventSink sink)
    : parts_(std::make_unique<Parts>(std::move(settings), std::move(sink))) {}

SipAnalyzer::~SipAnalyzer() = default;

capture::PortClaims SipAnalyzer::claims() const {
  capture::PortClaims claims;
  claims.tcp = parts_->settings.ports;
  claims.tcp.insert(claims.tcp.end(), parts_->settings.tls_ports.begin(),
                    parts_->settings.tls_ports.end());
  claims.udp = parts_->settings.ports;
  return claims;
}

void SipAnalyzer::on_udp(const capture::UdpDatagram& d, int64_t time_us) {
  Parts& p = *parts_;
  ++p.stats.udp_datagrams;
  if (d.payload.empty() || is_crlf_keepalive(d.payload)) {
    ++p.framing.keepalives;
    p.tracker.advance(time_us);
    return;
  }
  SipPacketInfo info;
  info.src = d.src;
  info.dst = d.dst;
  info.src_port = d.src_port;
  info.dst_port = d.dst_port;
  info.vlan = d.vlan;
  info.transport = SipTransport::kUdp;
  p.message(d.payload, info, time_us);
}

void SipAnalyzer::on_tcp(const capture::TcpSegment& s, int64_t time_us) {
  Parts& p = *parts_;
  const bool tls = (p.tls_ports[s.dst_port] || p.tls_ports[s.src_port]) &&
                   !p.sip_ports[s.dst_port] && !p.sip_ports[s.src_port];
  Parts::Flow* flow = p.flow_for(s, tls, time_us);
  if (!flow) {
    p.tracker.advance(time_us);
    return;
  }
  ++(tls ? p.stats.tls_segments : p.stats.tcp_segments);
  flow->last_seen_us = time_us;
  const bool from_client = s.src == flow->client.address && s.src_port == flow->client.port;
  SipPacketInfo info;
  info.src = s.src;
  info.dst = s.dst;
  info.src_port = s.src_port;
  info.dst_port = s.dst_port;
  info.vlan = s.vlan;
  info.transport = tls ? SipTransport::kTls : SipTransport::kTcp;
  info.connection = flow->id;
  if (!tls && (!s.payload.empty() || s.syn)) {
    Parts::Stream& stream = from_client ? flow->up : flow->down;
    Parts::ToFramer sink(p, stream, info, time_us);
    stream.bytes.on_segment(s.seq, s.syn, s.payload, p.held_budget, sink, p.reassembly);
  }
  if (s.rst || s.fin) {
    if (tls) {
      if (s.rst) {
        SipPacketInfo phone_to_cm = info;
        phone_to_cm.src = flow->client.address;
        phone_to_cm.src_port = flow->client.port;
        phone_to_cm.dst = flow->server.address;
        phone_to_cm.dst_port = flow->server.port;
        p.tracker.on_tls_reset(phone_to_cm, from_client, flow->opened_us, time_us);
      }
    } else {
      p.tracker.on_connection_closed(flow->id, s.src, s.src_port, s.rst, time_us);
    }
    p.drop(s);
  } else {
    p.tracker.advance(time_us);
  }
  p.expire_if_due(time_us);
}

void SipAnalyzer::on_time(int64_t time_us) {
  parts_->tracker.advance(time_us);
}

void SipAnalyzer::on_idle(int64_t now_us) {
  parts_->tracker.advance(now_us);
  parts_->expire_if_due(now_us);
}

SipStats SipAnalyzer::stats() const {
  const Parts& p = *parts_;
  SipStats s = p.stats;
  for (const auto& [kind, n] : p.events_by_kind) s.events_by_kind[kind_name(kind)] = n;
  for (const auto& [name, n] : p.tracker.anomalies()) s.anomalies[name] += n;
  auto add = [&](const char* name, uint64_t n) {
    if (n) s.anomalies[name] += n;
  };
  add("tcp_retransmission", p.reassembly.retransmitted_segments);
  add("tcp_out_of_order", p.reassembly.out_of_order_segments);
  add("tcp_gap", p.reassembly.gaps);
  add("tcp_midstream_start", p.reassembly.midstream_starts);
  add("sip_bad_length", p.framing.bad_lengths);
  add("sip_oversized", p.framing.oversized);
  add("sip_resync", p.framing.resyncs);
  add("sip_skipped_bytes", p.framing.skipped_bytes);
  s.keepalives = p.framing.keepalives;
  s.phones = p.tracker.phones();
  s.registrations = p.tracker.registrations();
  s.open_connections = p.flows.size();
  return s;
}

}  // namespace regwatch::agent::sip
