#pragma once
// Per-connection phone state from decoded SCCP messages, and the events it
// implies, all by packet time (so a capture replayed later gives the same
// events as it did live):
//   phone_registered (RegisterAck: CM, keepalive interval), phone_registration_failed
//   (RegisterReject text), phone_unregistered (Unregister + UnregisterAck),
//   keepalive_missed (no KeepAlive within k x interval), keepalive_unanswered
//   (a KeepAlive without ack within the bound), connection_lost (FIN/RST
//   without Unregister); per CM node and window keepalive_latency, and
//   cm_slow / cm_recovered when many of its phones are slow together.
//
// Deadlines are checked by advance(now): the analyzer calls it with each packet's time
// (and, live, with the wall clock when the wire is quiet). A replay stops at
// the capture's last packet: nothing fires "after" the capture.
//
// Threads: none; one owner.
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "agent/capture/cache_hint.h"
#include "agent/capture/flow_table.h"
#include "agent/capture/packet_decoder.h"
#include "agent/sccp/sccp_message.h"
#include "agent/sccp/sccp_settings.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::sccp {

// The capture layer's vocabulary, used throughout the SCCP analyzer.
using capture::IpAddress;
using capture::prefetch;
using capture::TcpSegment;

struct ConnectionKey {
  IpAddress phone_ip, cm_ip;
  uint16_t phone_port = 0, cm_port = 0;
  auto operator<=>(const ConnectionKey&) const = default;
  bool operator==(const ConnectionKey& o) const {
    return phone_port == o.phone_port && cm_port == o.cm_port && phone_ip == o.phone_ip &&
           cm_ip == o.cm_ip;
  }
  // Whether this is the IPv4 connection with these addresses (their 4 bytes as in the
  // packet, see KeepAliveFrame) and ports.
  bool is_v4(uint32_t phone, uint32_t cm, uint16_t phone_port_, uint16_t cm_port_) const {
    uint32_t p, c;
    std::memcpy(&p, phone_ip.bytes.data() + 12, 4);
    std::memcpy(&c, cm_ip.bytes.data() + 12, 4);
    return p == phone && c == cm && phone_port == phone_port_ && cm_port == cm_port_ &&
           phone_ip.v4 && cm_ip.v4;
  }
};

struct ConnectionKeyHash {
  size_t operator()(const ConnectionKey& k) const noexcept {
    uint64_t phone_low = 0, phone_high = 0, cm_high = 0;
    std::memcpy(&phone_low, k.phone_ip.bytes.data(), 8);
    std::memcpy(&phone_high, k.phone_ip.bytes.data() + 8, 8);
    std::memcpy(&cm_high, k.cm_ip.bytes.data() + 8, 8);
    return mix(phone_low, phone_high, cm_high, uint64_t{k.phone_port} << 16 | k.cm_port);
  }
  // The same hash as operator() of the IPv4 key (ConnectionKey::is_v4's arguments), without
  // building one: an IPv4 address is held mapped, ::ffff:a.b.c.d.
  static size_t of_v4(uint32_t phone, uint32_t cm, uint16_t phone_port, uint16_t cm_port) {
    return mix(0, mapped_high(phone), mapped_high(cm), uint64_t{phone_port} << 16 | cm_port);
  }

 private:
  static uint64_t mapped_high(uint32_t v4) {
    uint8_t bytes[8] = {0, 0, 0xff, 0xff, 0, 0, 0, 0};
    std::memcpy(bytes + 4, &v4, 4);
    uint64_t word;
    std::memcpy(&word, bytes, 8);
    return word;
  }
  // Word-wide mixing (splitmix64's finaliser): a handful of multiplies per packet, where
  // byte-wise FNV took a dependent multiply per byte.
  static size_t mix(uint64_t phone_low, uint64_t phone_high, uint64_t cm_high, uint64_t ports) {
    uint64_t h = (phone_high ^ (phone_low * 0x9E3779B97F4A7C15ULL)) +
                 ((cm_high ^ (ports << 40)) * 0xC2B2AE3D27D4EB4FULL) + ports;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    h ^= h >> 31;
    return static_cast<size_t>(h);
  }
};

// SCCP connections (4-tuple, phone first) -> their slot.
using FlowTable = capture::FlowTable<ConnectionKey, ConnectionKeyHash>;

enum class Direction { kPhoneToCm, kCmToPhone };

class PhoneTracker {
 public:
  using Slot = uint32_t;
  PhoneTracker(SccpSettings settings, std::function<void(regwatch::v1::Event)> sink);

  // A new connection; the returned slot names it until close() or forget().
  Slot open(const ConnectionKey& key, int64_t time_us, uint16_t vlan, bool tls);
  void on_message(Slot slot, Direction direction, const SccpMessage& message, int64_t time_us);
  // The two messages that are nine in ten, without an SccpMessage: the same as on_message with
  // a KeepAlive from the phone and a KeepAliveAck from the CM.
  void on_keepalive(Slot slot, int64_t time_us);
  void on_keepalive_ack(Slot slot, int64_t time_us);
  // closed_by_phone: who sent the FIN/RST. Frees the slot.
  void close(Slot slot, bool closed_by_phone, bool reset, int64_t time_us);
  // The connection went idle (or is otherwise dropped) without an event. Frees the slot.
  void forget(Slot slot);
  void advance(int64_t now_us) {
    if (now_us < now_us_) now_us = now_us_;  // packets slightly out of order: time never goes back
    now_us_ = now_us;
    if (now_us >= next_sweep_us_) sweep(now_us);
  }

  // When slot's next KeepAlive is due: its last one (or the RegisterAck) plus its interval;
  // 0 when it has had neither.
  int64_t next_keepalive_us(Slot slot) const {
    const Connection& c = slots_[slot];
    return c.last_keepalive_us ? c.last_keepalive_us + interval_us(c) : 0;
  }
  // Loads what a KeepAlive on slot reads into the cache (no effect on results).
  void preload(Slot slot) const {
    if (slot < slots_.size()) prefetch(&slots_[slot]);
  }

  size_t connections() const { return slots_.size() - free_.size(); }
  size_t phones_seen() const { return devices_.size(); }

 private:
  // What a KeepAlive and its ack read: one cache line per connection, in a slab of its own
  // (the cold fields, in ConnectionInfo, made records of 176 bytes).
  struct alignas(64) Connection {
    int64_t last_keepalive_us = 0;  // or the RegisterAck / first sight
    int64_t unacked_since_us = 0;   // first KeepAlive still without ack; 0 = none
    int64_t latency_window_us = 0;  // the CM window worst_latency_ms belongs to
    double worst_latency_ms = -1;
    int64_t miss_after_us = 0;  // keepalive_missed this long after last_keepalive_us
    uint32_t interval_s = 0;
    uint32_t window = 0;      // its CM's entry in windows_
    uint32_t unacked_at = 0;  // its place in unacked_ plus one; 0 while unacked_since_us is 0
    uint16_t vlan = 0;
    bool in_use = false;
    bool registered = false;
    bool unregistering = false;
    bool missed_reported = false;
    bool unanswered_reported = false;
    bool tls = false;
  };
  // Cold: set at registration, read when an event is made; same slot as its Connection.
  struct ConnectionInfo {
    ConnectionKey key;
    uint32_t secondary_interval_s = 0;
    uint32_t device_type = 0;
    uint32_t protocol_version = 0;
    std::string device;
    std::string station_ip;
  };
  struct CmWindow {
    IpAddress cm;
    std::string cm_name;  // its address as text, made once for all its events
    int64_t start_us = 0;
    std::vector<double> latencies_ms;
    // Its open connections with a sample in this window, and those of them above the slow
    // threshold: counted as the acks come (and taken back when a connection goes), so that
    // closing the window needs no pass over every connection.
    uint32_t sampled = 0, slow_sampled = 0;
    bool slow = false;  // the CM's state after its last closed window
  };

  regwatch::v1::Event phone_event(Slot slot, regwatch::v1::EventKind kind, int64_t time_us) const;
  void record_keepalive(Slot slot, int64_t time_us);
  void record_keepalive_ack(Slot slot, int64_t time_us);
  // Whether a keepalive_missed or keepalive_unanswered of c is due and not yet reported: a few
  // compares, asked at every KeepAliveAck and by the sweep.
  bool deadline_passed(const Connection& c, int64_t now_us) const {
    if ((!c.registered && c.last_keepalive_us == 0) || c.unregistering) return false;
    return (!c.missed_reported && c.last_keepalive_us != 0 &&
            now_us >= c.last_keepalive_us + c.miss_after_us) ||
           (!c.unanswered_reported && c.unacked_since_us != 0 &&
            now_us >= c.unacked_since_us + unanswered_after_us_);
  }
  // Makes the events of what deadline_passed found.
  void report_deadlines(Slot slot, int64_t now_us);
  // When keepalive_missed is due for slot (kNever when it cannot be), kept in miss_due_us_
  // after every change to what it depends on.
  static constexpr int64_t kNever = INT64_MAX;
  void rearm_miss(Slot slot);
  // unacked_since_us set (from 0) and cleared, with the slot's place in unacked_.
  void start_unacked(Slot slot, int64_t t);
  void clear_unacked(Slot slot);
  // A connection's sample leaves its CM's window tallies (it closes or is forgotten).
  void untally(const Connection& c);
  static constexpr uint32_t kNotDue = UINT32_MAX;
  void sweep(int64_t now_us);
  struct WindowTally {
    uint32_t sampled = 0, slow = 0, unanswered = 0;
  };
  void close_window(CmWindow& window, int64_t end_us, const WindowTally& tally);
  uint32_t window_for(const IpAddress& cm);
  void start_window(CmWindow& window, int64_t t);
  int64_t interval_us(const Connection& c) const;
  // keepalive_miss_factor intervals, kept per connection: the sweep checks every connection
  // every window, and converting through double each time showed in the profile.
  int64_t miss_after_us(const Connection& c) const;

  SccpSettings settings_;
  std::function<void(regwatch::v1::Event)> sink_;
  int64_t unanswered_after_us_;
  // Connections live in a slab, a slot each; the analyzer keeps each one's slot next to its
  // TCP state.
  std::vector<Connection> slots_;
  // What the sweep reads instead of every connection's line (8 bytes a connection, not 64):
  // each slot's keepalive_missed deadline, and the connections waiting for an ack (few,
  // unless a CM stalls).
  std::vector<int64_t> miss_due_us_;
  std::vector<Slot> unacked_;
  std::vector<Slot> sweep_due_;  // scratch: the slots a sweep checks, in slot order
  std::vector<ConnectionInfo> info_;
  std::vector<Slot> free_;
  // One per CM address (few), never removed; connections keep their CM's index.
  std::vector<CmWindow> windows_;
  std::map<IpAddress, uint32_t> window_index_;  // read when a connection opens
  int64_t next_sweep_us_ = 0;
  int64_t now_us_ = 0;
  std::set<std::string> devices_;  // names seen, for the summary
};

}  // namespace regwatch::agent::sccp
