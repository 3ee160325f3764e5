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
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "agent/sccp/cache_hint.h"
#include "agent/sccp/packet_decoder.h"
#include "agent/sccp/sccp_message.h"
#include "agent/sccp/sccp_settings.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::sccp {

struct ConnectionKey {
  IpAddress phone_ip, cm_ip;
  uint16_t phone_port = 0, cm_port = 0;
  auto operator<=>(const ConnectionKey&) const = default;
  bool operator==(const ConnectionKey& o) const {
    return phone_port == o.phone_port && cm_port == o.cm_port && phone_ip == o.phone_ip && cm_ip == o.cm_ip;
  }
};

struct ConnectionKeyHash {
  size_t operator()(const ConnectionKey& k) const noexcept;
};

enum class Direction { kPhoneToCm, kCmToPhone };

class PhoneTracker {
 public:
  using Slot = uint32_t;
  PhoneTracker(SccpSettings settings, std::function<void(regwatch::v1::Event)> sink);

  // A new connection; the returned slot names it until close() or forget().
  Slot open(const ConnectionKey& key, int64_t time_us, uint16_t vlan, bool tls);
  void on_message(Slot slot, Direction direction, const SccpMessage& message, int64_t time_us);
  // closed_by_phone: who sent the FIN/RST. Frees the slot.
  void close(Slot slot, bool closed_by_phone, bool reset, int64_t time_us);
  // The connection went idle (or is otherwise dropped) without an event. Frees the slot.
  void forget(Slot slot);
  void advance(int64_t now_us);

  // When slot's next KeepAlive is due: its last one (or the RegisterAck) plus its interval;
  // 0 when it has had neither.
  int64_t next_keepalive_us(Slot slot) const {
    const Connection& c = slots_[slot];
    return c.last_keepalive_us ? c.last_keepalive_us + interval_us(c) : 0;
  }
  // Loads what a KeepAlive on slot reads into the cache (no effect on results).
  void preload(Slot slot) const {
    if (slot < slots_.size()) touch(&slots_[slot]);
  }

  size_t connections() const { return slots_.size() - free_.size(); }
  size_t phones_seen() const { return devices_.size(); }

 private:
  // What a KeepAlive, its ack and the periodic sweep read: one cache line per connection,
  // in a slab of its own, so that the sweep scans 6 MiB at 100,000 connections instead of
  // the 17 MiB it read when the cold fields (176-byte records) sat in between.
  struct alignas(64) Connection {
    int64_t last_keepalive_us = 0;  // or the RegisterAck / first sight
    int64_t unacked_since_us = 0;   // first KeepAlive still without ack; 0 = none
    int64_t latency_window_us = 0;  // the CM window worst_latency_ms belongs to
    double worst_latency_ms = -1;
    uint32_t interval_s = 0;
    uint32_t window = 0;  // its CM's entry in windows_
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
    bool slow = false;  // the CM's state after its last closed window
  };

  regwatch::v1::Event phone_event(Slot slot, regwatch::v1::EventKind kind, int64_t time_us) const;
  void check_timers(Slot slot, int64_t now_us);
  void sweep(int64_t now_us);
  struct WindowTally {
    uint32_t sampled = 0, slow = 0, unanswered = 0;
  };
  void close_window(CmWindow& window, int64_t end_us, const WindowTally& tally);
  uint32_t window_for(const IpAddress& cm);
  void start_window(CmWindow& window, int64_t t);
  int64_t interval_us(const Connection& c) const;

  SccpSettings settings_;
  std::function<void(regwatch::v1::Event)> sink_;
  // Connections live in a slab (contiguous, so the periodic sweep is a scan);
  // the analyzer keeps each one's slot next to its TCP state.
  std::vector<Connection> slots_;
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
