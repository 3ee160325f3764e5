#pragma once
// The SCCP watcher's core, a capture::Analyzer (agent/capture/analyzer.h): TCP segments of the
// SCCP ports in (the capture layer decodes the link and IP layers and dispatches), typed events
// out. Keeps one state per TCP connection to an SCCP port (reassembly and framing per
// direction), decodes the PDUs, and feeds the phone tracker. SccpCapture (below) is the
// analyzer behind its dispatcher, as the agent, the bench and the tests run it. Everything odd is a
// named, counted anomaly, never an error that stops the capture: the counts are in stats() for the
// summary and the log.
//
// Bounded memory: at most settings.max_connections connections (new ones past
// it are counted and ignored), max_held_bytes_per_direction of out-of-order
// data each, one partial PDU per direction, and idle connections expired.
//
// Speed (docs/performance.md): a lone in-order KeepAlive or KeepAliveAck in an Ethernet/IPv4
// frame is handled straight from the frame (keepalive_frame.h), one on any other link straight
// from its segment; the records of connections whose KeepAlive is due are loaded into the
// cache shortly before it comes (keepalive_schedule.h). None of these changes any result.
//
// Threads: none; one owner (the capture thread).
#include <array>
#include <bitset>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "agent/capture/analyzer.h"
#include "agent/capture/dispatcher.h"
#include "agent/capture/tcp_reassembler.h"
#include "agent/sccp/keepalive_schedule.h"
#include "agent/sccp/pdu_framer.h"
#include "agent/sccp/phone_tracker.h"

namespace regwatch::agent::sccp {

using capture::HeldBudget;
using capture::ReassemblyCounters;
using capture::TcpReassembler;

struct SccpStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t tcp_segments = 0;  // to or from an SCCP or SCCP/TLS port
  uint64_t sccp_messages = 0;
  uint64_t connections_opened = 0;
  uint64_t connections_rejected = 0;  // over max_connections
  uint64_t connections_expired = 0;
  std::map<std::string, uint64_t> messages_by_type;  // "KeepAlive", or "0x1234" when unknown
  std::map<std::string, uint64_t> anomalies;         // "truncated_header", "tcp_gap", ...
  std::map<std::string, uint64_t> events_by_kind;
  size_t phones = 0;  // distinct device names seen in Register
  size_t open_connections = 0;
};

class SccpAnalyzer final : public capture::Analyzer {
 public:
  SccpAnalyzer(SccpSettings settings, capture::EventSink sink);
  ~SccpAnalyzer() override;
  SccpAnalyzer(const SccpAnalyzer&) = delete;
  SccpAnalyzer& operator=(const SccpAnalyzer&) = delete;

  // settings.ports and tls_ports.
  capture::PortClaims claims() const override;
  // Preloads the connections whose KeepAlive is due, then takes a lone in-order KeepAlive or
  // KeepAliveAck of an open connection straight from an Ethernet/IPv4 frame (the keepalive lane).
  bool on_frame(int link_type, int64_t time_us, std::span<const uint8_t> frame) override;
  void on_tcp(const TcpSegment& segment, int64_t time_us) override;
  void on_time(int64_t time_us) override { tracker_.advance(time_us); }
  // The wire is quiet: let timers and windows move on (live capture only).
  void on_idle(int64_t now_us) override;
  // Its own counts: packets, bytes and the capture layer's decode anomalies are the
  // dispatcher's (SccpCapture::stats() has both).
  SccpStats stats() const;

 private:
  struct Flow;
  struct ToFramer;
  void drop_flow(Flow& flow);
  Flow* flow_for(const TcpSegment& segment, ConnectionKey& key, Direction& direction,
                 int64_t time_us);
  // The connection key of an SCCP segment (phone first), or false when it is not one.
  bool sccp_key(const TcpSegment& segment, ConnectionKey& key, Direction& direction,
                bool& tls) const;
  struct FlowStream;
  bool keepalive_fast_path(Flow& flow, FlowStream& stream, const TcpSegment& segment,
                           Direction direction, int64_t time_us);
  // A lone in-order KeepAlive or KeepAliveAck of an open connection, handled straight from
  // the frame; false (nothing changed) for any other frame.
  bool keepalive_lane(int link_type, int64_t time_us, std::span<const uint8_t> frame);
  void handle_keepalive(PhoneTracker::Slot slot, Direction direction, uint32_t id, int64_t time_us);
  void expire_if_due(int64_t time_us);
  void handle_pdu(PhoneTracker::Slot slot, Direction direction, std::span<const uint8_t> pdu,
                  int64_t time_us);
  void expect_keepalive(PhoneTracker::Slot slot);
  void preload_connection(uint32_t slot, uint32_t tag);
  void count(const std::string& anomaly) { ++stats_.anomalies[anomaly]; }

  SccpSettings settings_;
  // settings_.ports and tls_ports as bit sets: every packet's two ports are looked up.
  std::bitset<65536> sccp_ports_, tls_ports_;
  HeldBudget held_budget_;  // before flows_: the flows give their bytes back to it
  std::function<void(regwatch::v1::Event)> sink_;
  PhoneTracker tracker_;
  FlowTable flow_index_;  // 4-tuple -> slot (the tracker's, reused here)
  // TCP state per slot, in chunks of kFlowChunk records: addresses stay put, and finding a
  // slot's record reads an index of a few cache lines. std::deque's index has an entry per two
  // records, and reading it was one more cache miss before each record (docs/performance.md).
  static constexpr uint32_t kFlowChunk = 1024;
  Flow& flow_at(uint32_t slot);
  const Flow& flow_at(uint32_t slot) const;
  std::vector<std::unique_ptr<Flow[]>> flow_chunks_;
  uint32_t flow_slots_ = 0;  // slots with a record: [0, flow_slots_)
  // Each slot's last packet time in epochs of 2^26 us (67 s), modulo 256: the idle scan reads
  // these bytes (100 KB at 100,000 connections) and only the records old enough, not every
  // record's first line (12.8 MB, about 5 % of the steady state in profiles).
  static constexpr int kEpochShift = 26;
  static uint8_t epoch_of(int64_t time_us) { return static_cast<uint8_t>(time_us >> kEpochShift); }
  // A packet of flow's at time_us: its last_seen_us and its byte here.
  void seen(Flow& flow, int64_t time_us);
  std::vector<uint8_t> seen_epoch_;
  int64_t last_idle_scan_epoch_ = INT64_MAX;       // none yet
  int64_t oldest_since_idle_scan_us_ = INT64_MAX;  // the earliest packet time since
  KeepAliveSchedule keepalives_;  // whose records to load before their packets come
  // The connections just preloaded, by their lane_tag (a direct-mapped cache of records): the
  // keepalive lane finds a due connection here, in a few cache lines, instead of in the flow
  // table, whose entry would be one more miss to preload and whose hash is four multiplies in
  // a row. A record found here is used only if it is in use with the packet's key; anything
  // else looks in the flow table. Records never move (chunks), so a stale pointer is only a
  // miss.
  struct RecentSlot {
    uint32_t tag = 0;
    Flow* flow = nullptr;
  };
  static constexpr uint32_t kRecentSlots = 1024;
  std::array<RecentSlot, kRecentSlots> recent_{};
  // Counted per packet, so by array where ids are small (all known ones are).
  std::array<uint64_t, 0x400> messages_by_id_{};
  std::map<uint32_t, uint64_t> messages_by_high_id_;
  std::map<regwatch::v1::EventKind, uint64_t> events_by_kind_;
  ReassemblyCounters reassembly_;
  FramerCounters framing_;
  SccpStats stats_;
  int64_t next_expiry_us_ = 0;
};

// The SCCP analyzer behind a capture::Dispatcher of its own: frames in, events out, the old
// one-object interface that the agent's replay and live capture, the bench and the tests use.
class SccpCapture {
 public:
  SccpCapture(SccpSettings settings, capture::EventSink sink);
  SccpCapture(const SccpCapture&) = delete;
  SccpCapture& operator=(const SccpCapture&) = delete;

  // One captured frame; time_us is its capture timestamp.
  void on_packet(int link_type, int64_t time_us, std::span<const uint8_t> frame) {
    dispatcher_.on_packet(link_type, time_us, frame);
  }
  // The wire is quiet: let timers and windows move on (live capture only).
  void on_idle(int64_t now_us) { dispatcher_.on_idle(now_us); }
  // The analyzer's stats with the dispatcher's packets, bytes and decode anomalies.
  SccpStats stats() const;

 private:
  SccpAnalyzer analyzer_;
  capture::Dispatcher dispatcher_;
};

}  // namespace regwatch::agent::sccp
