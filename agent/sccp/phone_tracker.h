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
// Timers fire from advance(now): the analyzer calls it with each packet's time
// (and, live, with the wall clock when the wire is quiet). A replay stops at
// the capture's last packet: nothing fires "after" the capture.
//
// Threads: none; one owner.
#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "agent/sccp/packet_decoder.h"
#include "agent/sccp/sccp_message.h"
#include "agent/sccp/sccp_settings.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::sccp {

struct ConnectionKey {
  IpAddress phone_ip, cm_ip;
  uint16_t phone_port = 0, cm_port = 0;
  auto operator<=>(const ConnectionKey&) const = default;
};

enum class Direction { kPhoneToCm, kCmToPhone };

class PhoneTracker {
 public:
  PhoneTracker(SccpSettings settings, std::function<void(regwatch::v1::Event)> sink);

  void on_open(const ConnectionKey& key, int64_t time_us, uint16_t vlan, bool tls);
  void on_message(const ConnectionKey& key, Direction direction, const SccpMessage& message,
                  int64_t time_us);
  // closed_by_phone: who sent the FIN/RST.
  void on_close(const ConnectionKey& key, bool closed_by_phone, bool reset, int64_t time_us);
  void advance(int64_t now_us);
  // Connections silent longer than the idle timeout are forgotten; returns how many.
  size_t expire_idle(int64_t now_us);

  size_t connections() const { return connections_.size(); }
  size_t phones_seen() const { return phones_seen_; }

 private:
  struct Connection {
    std::string device;
    std::string station_ip;
    uint32_t device_type = 0;
    uint32_t protocol_version = 0;
    uint16_t vlan = 0;
    bool tls = false;
    bool registered = false;
    bool unregistering = false;
    uint32_t interval_s = 0;
    uint32_t secondary_interval_s = 0;
    int64_t last_keepalive_us = 0;  // or the RegisterAck / first sight
    int64_t unacked_since_us = 0;   // first KeepAlive still without ack; 0 = none
    int64_t last_seen_us = 0;
    bool missed_reported = false;
    bool unanswered_reported = false;
  };
  struct CmWindow {
    int64_t start_us = 0;
    std::vector<double> latencies_ms;
    std::map<ConnectionKey, double> worst_by_phone;
    bool slow = false;  // the CM's state after its last closed window
  };
  struct Timer {
    int64_t due_us;
    ConnectionKey key;
    bool operator>(const Timer& other) const { return due_us > other.due_us; }
  };

  regwatch::v1::Event phone_event(const ConnectionKey& key, const Connection& c,
                                  regwatch::v1::EventKind kind, int64_t time_us) const;
  void schedule(const ConnectionKey& key, int64_t due_us);
  void check_timers(const ConnectionKey& key, Connection& c, int64_t now_us);
  void close_windows(int64_t now_us);
  void close_window(const IpAddress& cm, CmWindow& window, int64_t end_us);
  int64_t interval_us(const Connection& c) const;

  SccpSettings settings_;
  std::function<void(regwatch::v1::Event)> sink_;
  std::map<ConnectionKey, Connection> connections_;
  std::map<IpAddress, CmWindow> windows_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  int64_t now_us_ = 0;
  size_t phones_seen_ = 0;
  std::set<std::string> devices_;  // names seen, for the summary
};

}  // namespace regwatch::agent::sccp
