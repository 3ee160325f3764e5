#include "agent/sccp/sccp_analyzer.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstdio>

#include "agent/capture/packet_decoder.h"
#include "agent/sccp/keepalive_frame.h"
#include "common/event_kind.h"

namespace regwatch::agent::sccp {
// One direction's byte stream: 32 bytes while it holds nothing out of order and no partial PDU.
struct SccpAnalyzer::FlowStream {
  TcpReassembler bytes;
  PduFramer frames;
};

// Two cache lines, read by a packet in this order: the key (checked by the flow table's
// lookup), the connection's own fields, then one direction's stream. (Four lines before the
// reassembler and framer kept their rarely used parts out of line: a KeepAlive at 100,000
// connections waits for every line it reads, docs/performance.md.)
struct alignas(64) SccpAnalyzer::Flow {
  using Stream = FlowStream;
  ConnectionKey key;
  bool in_use = false;
  bool tls = false;
  uint32_t tag = 0;             // lane_tag() of its key (IPv4 or not)
  PhoneTracker::Slot slot = 0;  // its phone state in the tracker, and its index here
  int64_t last_seen_us = 0;
  Stream up, down;  // phone -> CM, CM -> phone
};
inline SccpAnalyzer::Flow& SccpAnalyzer::flow_at(uint32_t slot) {
  return flow_chunks_[slot / kFlowChunk][slot % kFlowChunk];
}

inline const SccpAnalyzer::Flow& SccpAnalyzer::flow_at(uint32_t slot) const {
  return flow_chunks_[slot / kFlowChunk][slot % kFlowChunk];
}

inline void SccpAnalyzer::seen(Flow& flow, int64_t time_us) {
  flow.last_seen_us = time_us;
  seen_epoch_[flow.slot] = epoch_of(time_us);
}

// Reassembled bytes of one direction into its PDU framer, then to handle_pdu.
struct SccpAnalyzer::ToFramer final : TcpReassembler::Sink {
  ToFramer(SccpAnalyzer& analyzer, PduFramer& pdu_framer, PhoneTracker::Slot connection,
           Direction from, int64_t packet_time_us)
      : self(analyzer),
        framer(pdu_framer),
        slot(connection),
        direction(from),
        time_us(packet_time_us) {}
  void data(std::span<const uint8_t> bytes) override {
    framer.feed(
        bytes,
        [this](std::span<const uint8_t> pdu) { self.handle_pdu(slot, direction, pdu, time_us); },
        self.framing_);
  }
  void gap() override { framer.lost_sync(); }

  SccpAnalyzer& self;
  PduFramer& framer;
  PhoneTracker::Slot slot;
  Direction direction;
  int64_t time_us;
};

SccpAnalyzer::SccpAnalyzer(SccpSettings settings, capture::EventSink sink)
    : settings_(settings),
      held_budget_{0, settings.max_held_bytes_total, settings.max_held_bytes_per_direction},
      sink_(std::move(sink)),
      tracker_(settings, [this](regwatch::v1::Event e) {
        ++events_by_kind_[e.kind()];
        e.set_receive_time_us(e.event_time_us());
        sink_(std::move(e));
      }) {
  static_assert(sizeof(Flow) == 128, "two cache lines per connection");
  for (const uint16_t port : settings_.ports) sccp_ports_.set(port);
  for (const uint16_t port : settings_.tls_ports) tls_ports_.set(port);
}

SccpAnalyzer::~SccpAnalyzer() = default;

bool SccpAnalyzer::sccp_key(const TcpSegment& s, ConnectionKey& key, Direction& direction,
                            bool& tls) const {
  tls = false;
  if (sccp_ports_[s.dst_port] || (tls = tls_ports_[s.dst_port])) {
    key = {s.src, s.dst, s.src_port, s.dst_port};
    direction = Direction::kPhoneToCm;
    return true;
  }
  if (sccp_ports_[s.src_port] || (tls = tls_ports_[s.src_port])) {
    key = {s.dst, s.src, s.dst_port, s.src_port};
    direction = Direction::kCmToPhone;
    return true;
  }
  return false;
}

SccpAnalyzer::Flow* SccpAnalyzer::flow_for(const TcpSegment& s, ConnectionKey& key,
                                           Direction& direction, int64_t time_us) {
  bool tls = false;
  if (!sccp_key(s, key, direction, tls)) return nullptr;
  const auto key_of = [this](uint32_t slot) -> const ConnectionKey& { return flow_at(slot).key; };
  if (const uint32_t slot = flow_index_.find(key, key_of); slot != FlowTable::kAbsent)
    return &flow_at(slot);
  if (s.rst || (s.fin && s.payload.empty()))
    return nullptr;  // the tail of a connection we never saw
  if (flow_index_.size() >= settings_.max_connections) {
    ++stats_.connections_rejected;
    return nullptr;
  }
  const PhoneTracker::Slot slot = tracker_.open(key, time_us, s.vlan, tls);
  for (; flow_slots_ <= slot; ++flow_slots_) {
    if (flow_slots_ % kFlowChunk == 0) flow_chunks_.push_back(std::make_unique<Flow[]>(kFlowChunk));
    seen_epoch_.push_back(0);
  }
  Flow& flow = flow_at(slot);
  flow.key = key;
  flow.tag = lane_tag(key);
  flow.in_use = true;
  flow.tls = tls;
  flow.slot = slot;
  seen(flow, time_us);
  flow_index_.insert(key, slot);
  ++stats_.connections_opened;
  return &flow;
}

capture::PortClaims SccpAnalyzer::claims() const {
  capture::PortClaims claims;
  claims.tcp = settings_.ports;
  claims.tcp.insert(claims.tcp.end(), settings_.tls_ports.begin(), settings_.tls_ports.end());
  return claims;
}

bool SccpAnalyzer::on_frame(int link_type, int64_t time_us, std::span<const uint8_t> frame) {
  // The connections whose KeepAlive is due within the lead are loaded now, many in one loop
  // so that their misses overlap, instead of each stalling its own packet (about 30 % of a
  // steady-state packet's time at 100,000 connections, measured).
  constexpr int64_t kPreloadLeadUs = 2 * KeepAliveSchedule::kResolutionUs;
  keepalives_.take_until(time_us + kPreloadLeadUs,
                         [this](uint32_t slot, uint32_t tag) { preload_connection(slot, tag); });
  oldest_since_idle_scan_us_ = std::min(oldest_since_idle_scan_us_, time_us);
  return keepalive_lane(link_type, time_us, frame);
}

void SccpAnalyzer::on_tcp(const TcpSegment& segment, int64_t time_us) {
  ConnectionKey key;
  Direction direction{};
  Flow* flow = flow_for(segment, key, direction, time_us);
  if (!flow) {
    tracker_.advance(time_us);
    return;
  }
  ++stats_.tcp_segments;
  seen(*flow, time_us);
  if (!flow->tls && (!segment.payload.empty() || segment.syn)) {
    const bool up = direction == Direction::kPhoneToCm;
    Flow::Stream& stream = up ? flow->up : flow->down;
    if (!keepalive_fast_path(*flow, stream, segment, direction, time_us)) {
      ToFramer sink(*this, stream.frames, flow->slot, direction, time_us);
      stream.bytes.on_segment(segment.seq, segment.syn, segment.payload, held_budget_, sink,
                              reassembly_);
    }
  }
  if (segment.rst || segment.fin) {
    tracker_.close(flow->slot, direction == Direction::kPhoneToCm, segment.rst, time_us);
    drop_flow(*flow);
  } else {
    tracker_.advance(time_us);
  }
  expire_if_due(time_us);
}

void SccpAnalyzer::expire_if_due(int64_t time_us) {
  if (time_us >= next_expiry_us_) {
    on_idle(time_us);
    next_expiry_us_ = time_us + 60'000'000;  // idle timeouts are minutes: no need to look often
  }
}

bool SccpAnalyzer::keepalive_lane(int link_type, int64_t time_us, std::span<const uint8_t> frame) {
  // What the general path below does with such a frame, step for step, once the frame is known
  // to be one in-order KeepAlive or KeepAliveAck of a connection already open. Whatever is not
  // (a new connection, TLS, a stream holding bytes or out of order) returns false before
  // changing anything, and the general path takes the frame as if this had not looked.
  KeepAliveFrame f;
  if (!match_keepalive_frame(link_type, frame, f)) return false;
  Direction direction;
  uint32_t phone_ip, cm_ip;
  uint16_t phone_port, cm_port;
  if (sccp_ports_[f.dst_port]) {
    direction = Direction::kPhoneToCm;
    phone_ip = f.src_ip, cm_ip = f.dst_ip, phone_port = f.src_port, cm_port = f.dst_port;
  } else if (!tls_ports_[f.dst_port] && sccp_ports_[f.src_port]) {
    direction = Direction::kCmToPhone;
    phone_ip = f.dst_ip, cm_ip = f.src_ip, phone_port = f.dst_port, cm_port = f.src_port;
  } else {
    return false;
  }
  const uint32_t tag = lane_tag(phone_ip, cm_ip, phone_port, cm_port);
  const RecentSlot& recent = recent_[tag % kRecentSlots];
  Flow* found = recent.flow;
  if (recent.tag != tag || !found || !found->in_use ||
      !found->key.is_v4(phone_ip, cm_ip, phone_port, cm_port)) {
    const uint32_t slot = flow_index_.find_hashed(
        ConnectionKeyHash::of_v4(phone_ip, cm_ip, phone_port, cm_port),
        [&](uint32_t s) { return flow_at(s).key.is_v4(phone_ip, cm_ip, phone_port, cm_port); });
    if (slot == FlowTable::kAbsent) return false;
    found = &flow_at(slot);
  }
  Flow& flow = *found;
  const PhoneTracker::Slot slot = flow.slot;
  FlowStream& stream = direction == Direction::kPhoneToCm ? flow.up : flow.down;
  if (flow.tls || !stream.frames.idle() || !stream.bytes.take_in_order(f.seq, kHeaderSize))
    return false;
  ++stats_.tcp_segments;
  seen(flow, time_us);
  ++framing_.pdus;
  handle_keepalive(slot, direction, f.message_id, time_us);  // which advances the tracker
  expire_if_due(time_us);
  return true;
}

bool SccpAnalyzer::keepalive_fast_path(Flow& flow, FlowStream& stream, const TcpSegment& s,
                                       Direction direction, int64_t time_us) {
  // Nine packets in ten are one KeepAlive or KeepAliveAck alone in an in-order segment. The
  // reassembler and framer would hand on exactly these 12 bytes, so they are decoded here and
  // the two only move their state on; anything else (out of order, split, several PDUs, a
  // retransmission, a framer holding bytes) goes the general way.
  const std::span<const uint8_t> pdu = s.payload;
  if (s.syn || pdu.size() != kHeaderSize || read_le32(pdu.data()) != kHeaderSize - 8) return false;
  const uint32_t id = read_le32(pdu.data() + 8);
  if (id != kKeepAlive && id != kKeepAliveAck) return false;
  if (!stream.frames.idle() || !stream.bytes.take_in_order(s.seq, pdu.size())) return false;
  ++framing_.pdus;
  handle_pdu(flow.slot, direction, pdu, time_us);
  return true;
}

void SccpAnalyzer::preload_connection(uint32_t slot, uint32_t tag) {
  if (slot >= flow_slots_) return;
  Flow* record = &flow_at(slot);
  recent_[tag % kRecentSlots] = {tag, record};
  const auto* flow = reinterpret_cast<const char*>(record);
  static_assert(sizeof(Flow) % 64 == 0 && alignof(Flow) == 64);
  for (size_t line = 0; line < sizeof(Flow); line += 64) prefetch(flow + line);
  tracker_.preload(slot);
}

void SccpAnalyzer::expect_keepalive(PhoneTracker::Slot slot) {
  if (const int64_t due_us = tracker_.next_keepalive_us(slot))
    keepalives_.expect(slot, flow_at(slot).tag, due_us);
}

void SccpAnalyzer::on_idle(int64_t now_us) {
  tracker_.advance(now_us);
  const int64_t idle_us = int64_t{settings_.idle_connection_timeout_s} * 1'000'000;
  // A connection silent for longer than idle_us is at least idle_epochs epochs old. The bytes'
  // ages (modulo 256) are its true age when no connection can be 255 epochs old or more: the
  // last scan left none older than idle_epochs + 1 (under 127) and came less than 128 epochs
  // ago, and no packet since was from 255 epochs ago or more (packet time can go back). Else
  // (a jump in packet time either way, a timeout of hours, the first scan) every record is read.
  const int64_t now_epoch = now_us >> kEpochShift;
  const int64_t idle_epochs = idle_us >> kEpochShift;
  const bool ages_hold = idle_epochs < 127 && last_idle_scan_epoch_ <= now_epoch &&
                         now_epoch - last_idle_scan_epoch_ < 128 &&
                         now_epoch - (oldest_since_idle_scan_us_ >> kEpochShift) < 255;
  last_idle_scan_epoch_ = now_epoch;
  oldest_since_idle_scan_us_ = INT64_MAX;
  const auto now_byte = static_cast<uint8_t>(now_epoch);
  for (uint32_t slot = 0; slot < flow_slots_; ++slot) {
    if (ages_hold && static_cast<uint8_t>(now_byte - seen_epoch_[slot]) + 1 < idle_epochs) continue;
    Flow& flow = flow_at(slot);
    if (flow.in_use && now_us - flow.last_seen_us > idle_us) {
      tracker_.forget(flow.slot);
      drop_flow(flow);
      ++stats_.connections_expired;
    }
  }
}

void SccpAnalyzer::drop_flow(Flow& flow) {
  flow_index_.erase(flow.key,
                    [this](uint32_t slot) -> const ConnectionKey& { return flow_at(slot).key; });
  for (Flow::Stream* stream : {&flow.up, &flow.down}) {
    stream->bytes.reset();
    stream->frames.reset();
  }
  flow.in_use = false;
}

void SccpAnalyzer::handle_keepalive(PhoneTracker::Slot slot, Direction direction, uint32_t id,
                                    int64_t time_us) {
  // KeepAlive and its ack are nine in ten messages and are nothing but a
  // header: no message is built for them.
  ++stats_.sccp_messages;
  ++messages_by_id_[id];
  const bool from_phone = direction == Direction::kPhoneToCm;
  if (id == kKeepAlive && from_phone) {
    tracker_.on_keepalive(slot, time_us);
    expect_keepalive(slot);
  } else if (id == kKeepAliveAck && !from_phone) {
    tracker_.on_keepalive_ack(slot, time_us);
  } else {
    tracker_.advance(time_us);  // all on_message would do with either the other way round
  }
}

void SccpAnalyzer::handle_pdu(PhoneTracker::Slot slot, Direction direction,
                              std::span<const uint8_t> pdu, int64_t time_us) {
  if (pdu.size() == kHeaderSize) {
    const uint32_t id = read_le32(pdu.data() + 8);
    if (id == kKeepAlive || id == kKeepAliveAck) {
      handle_keepalive(slot, direction, id, time_us);
      return;
    }
  }
  auto message = decode_sccp(pdu);
  if (!message.ok()) {
    count(message.error().code);
    return;
  }
  ++stats_.sccp_messages;
  if (message->id < messages_by_id_.size()) {
    ++messages_by_id_[message->id];
  } else {
    ++messages_by_high_id_[message->id];
  }
  tracker_.on_message(slot, direction, *message, time_us);
  if (message->id == kRegisterAck && direction == Direction::kCmToPhone) expect_keepalive(slot);
}

SccpStats SccpAnalyzer::stats() const {
  SccpStats s = stats_;
  std::map<uint32_t, uint64_t> by_id = messages_by_high_id_;
  for (uint32_t id = 0; id < messages_by_id_.size(); ++id) {
    if (messages_by_id_[id]) by_id[id] = messages_by_id_[id];
  }
  for (const auto& [kind, n] : events_by_kind_) s.events_by_kind[kind_name(kind)] = n;
  for (const auto& [id, n] : by_id) {
    const auto name = sccp_message_name(id);
    if (name.empty()) {
      char text[16];
      std::snprintf(text, sizeof text, "0x%04x", id);
      s.messages_by_type[text] += n;
    } else {
      s.messages_by_type[std::string(name)] += n;
    }
  }
  s.phones = tracker_.phones_seen();
  s.open_connections = flow_index_.size();
  auto add = [&](const char* name, uint64_t n) {
    if (n) s.anomalies[name] += n;
  };
  add("tcp_retransmission", reassembly_.retransmitted_segments);
  add("tcp_out_of_order", reassembly_.out_of_order_segments);
  add("tcp_gap", reassembly_.gaps);
  add("tcp_midstream_start", reassembly_.midstream_starts);
  add("sccp_bad_length", framing_.bad_lengths);
  add("sccp_resync", framing_.resyncs);
  add("sccp_skipped_bytes", framing_.skipped_bytes);
  return s;
}

SccpCapture::SccpCapture(SccpSettings settings, capture::EventSink sink)
    : analyzer_(std::move(settings), std::move(sink)) {
  // The only analyzer: none of its ports can be claimed already.
  const Status added = dispatcher_.add(analyzer_);
  assert(added.ok());
  (void)added;
}

SccpStats SccpCapture::stats() const {
  SccpStats s = analyzer_.stats();
  const capture::CaptureStats& capture = dispatcher_.stats();
  s.packets = capture.packets;
  s.bytes = capture.bytes;
  for (const auto& [name, n] : capture.anomalies) s.anomalies[name] += n;
  return s;
}

}  // namespace regwatch::agent::sccp
