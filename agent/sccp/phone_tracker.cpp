#include "agent/sccp/phone_tracker.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "agent/capture/cm_latency.h"
#include "common/device_name.h"
#include "common/domain_tables.h"

namespace regwatch::agent::sccp {

void PhoneTracker::start_window(CmWindow& window, int64_t t) {
  const int64_t window_us = int64_t{settings_.latency_window_s} * 1'000'000;
  window.start_us = t - t % window_us;
  window.sampled = window.slow_sampled = 0;
}

PhoneTracker::PhoneTracker(SccpSettings settings, std::function<void(regwatch::v1::Event)> sink)
    : settings_(std::move(settings)),
      sink_(std::move(sink)),
      unanswered_after_us_(int64_t{settings_.unanswered_after_ms} * 1000) {}

int64_t PhoneTracker::interval_us(const Connection& c) const {
  return int64_t{c.interval_s ? c.interval_s : settings_.default_keepalive_s} * 1'000'000;
}

int64_t PhoneTracker::miss_after_us(const Connection& c) const {
  return static_cast<int64_t>(settings_.keepalive_miss_factor *
                              static_cast<double>(interval_us(c)));
}

regwatch::v1::Event PhoneTracker::phone_event(Slot slot, regwatch::v1::EventKind kind,
                                              int64_t time_us) const {
  const Connection& c = slots_[slot];
  const ConnectionInfo& info = info_[slot];
  const ConnectionKey& key = info.key;
  const std::string& cm = windows_[c.window].cm_name;
  regwatch::v1::Event e;
  e.set_event_time_us(time_us);
  e.set_origin(cm);
  e.set_source(regwatch::v1::SOURCE_SCCP);
  e.set_kind(kind);
  auto* p = e.mutable_phone();
  p->set_device_name(info.device);
  p->set_mac(mac_from_device_name(info.device));
  p->set_ip(info.station_ip.empty() ? key.phone_ip.to_string() : info.station_ip);
  p->set_source_ip(key.phone_ip.to_string());
  p->set_protocol(c.tls ? "SCCP/TLS" : "SCCP");
  p->set_device_type(info.device_type);
  if (info.device_type)
    p->set_device_type_name(
        std::string(domain::device_type_name(static_cast<int32_t>(info.device_type))));
  p->set_cm_node(cm);
  p->set_cm_address(cm + ":" + std::to_string(key.cm_port));
  p->set_keepalive_interval_s(c.interval_s);
  p->set_secondary_keepalive_interval_s(info.secondary_interval_s);
  p->set_protocol_version(info.protocol_version);
  p->set_vlan(c.vlan);
  return e;
}

PhoneTracker::Slot PhoneTracker::open(const ConnectionKey& key, int64_t time_us, uint16_t vlan,
                                      bool tls) {
  advance(time_us);
  Slot slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<Slot>(slots_.size());
    slots_.emplace_back();
    miss_due_us_.push_back(kNever);
    info_.emplace_back();
  }
  Connection& c = slots_[slot];
  c = Connection{};
  c.in_use = true;
  c.vlan = vlan;
  c.tls = tls;
  c.window = window_for(key.cm_ip);
  c.miss_after_us = miss_after_us(c);
  info_[slot] = ConnectionInfo{};
  info_[slot].key = key;
  return slot;
}

void PhoneTracker::forget(Slot slot) {
  clear_unacked(slot);
  untally(slots_[slot]);
  slots_[slot] = Connection{};
  miss_due_us_[slot] = kNever;
  info_[slot] = ConnectionInfo{};
  free_.push_back(slot);
}

void PhoneTracker::on_message(Slot slot, Direction direction, const SccpMessage& m, int64_t t) {
  advance(t);
  Connection& c = slots_[slot];
  if (direction == Direction::kPhoneToCm) {
    switch (m.id) {
      case kRegister: {
        ConnectionInfo& info = info_[slot];
        info.device = m.device_name;
        info.station_ip = m.station_ip;
        info.device_type = m.device_type;
        info.protocol_version = m.protocol_version.value_or(0);
        c.registered = false;
        c.unregistering = false;
        rearm_miss(slot);
        devices_.insert(info.device);
        break;
      }
      case kKeepAlive: record_keepalive(slot, t); break;
      case kUnregister:
        c.unregistering = true;
        rearm_miss(slot);
        break;
      default: break;
    }
    return;
  }
  switch (m.id) {
    case kRegisterAck:
      c.registered = true;
      c.interval_s = m.keepalive_interval_s;
      c.miss_after_us = miss_after_us(c);
      info_[slot].secondary_interval_s = m.secondary_keepalive_interval_s;
      c.last_keepalive_us = t;
      clear_unacked(slot);
      c.missed_reported = c.unanswered_reported = false;
      rearm_miss(slot);
      sink_(phone_event(slot, regwatch::v1::PHONE_REGISTERED, t));
      break;
    case kRegisterReject: {
      auto e = phone_event(slot, regwatch::v1::PHONE_REGISTRATION_FAILED, t);
      e.mutable_phone()->set_reason(m.text);
      sink_(std::move(e));
      c.registered = false;
      break;
    }
    case kKeepAliveAck: record_keepalive_ack(slot, t); break;
    case kUnregisterAck: {
      auto e = phone_event(slot, regwatch::v1::PHONE_UNREGISTERED, t);
      if (m.code)
        e.mutable_phone()->set_reason(*m.code == 0   ? "UnregisterAck Ok"
                                      : *m.code == 1 ? "UnregisterAck Error"
                                                     : "UnregisterAck NAK");
      e.mutable_phone()->set_last_signal("Unregister");
      sink_(std::move(e));
      c.registered = false;
      break;
    }
    case kReset:
      c.unregistering = true;  // the CM asked the phone to restart: a planned drop
      rearm_miss(slot);
      break;
    default: break;
  }
}

void PhoneTracker::on_keepalive(Slot slot, int64_t t) {
  advance(t);
  record_keepalive(slot, t);
}

void PhoneTracker::on_keepalive_ack(Slot slot, int64_t t) {
  advance(t);
  record_keepalive_ack(slot, t);
}

void PhoneTracker::record_keepalive(Slot slot, int64_t t) {
  Connection& c = slots_[slot];
  // The CM's latency window runs from its first KeepAlive: a CM stalled
  // from the start must still show its unanswered phones.
  CmWindow& window = windows_[c.window];
  if (window.start_us == 0) start_window(window, t);
  if (c.unacked_since_us == 0 && t != 0) start_unacked(slot, t);  // 0 is "none": no wait at 0
  c.last_keepalive_us = t;
  c.missed_reported = false;
  rearm_miss(slot);
}

void PhoneTracker::record_keepalive_ack(Slot slot, int64_t t) {
  Connection& c = slots_[slot];
  if (c.unacked_since_us == 0) return;
  const double latency_ms = static_cast<double>(t - c.unacked_since_us) / 1000.0;
  CmWindow& window = windows_[c.window];
  if (window.start_us == 0) start_window(window, t);
  window.latencies_ms.push_back(latency_ms);
  const double threshold_ms = settings_.slow_threshold_ms;
  if (c.latency_window_us != window.start_us) {
    c.latency_window_us = window.start_us;
    c.worst_latency_ms = latency_ms;
    ++window.sampled;
    if (latency_ms > threshold_ms) ++window.slow_sampled;
  } else {
    if (c.worst_latency_ms <= threshold_ms && latency_ms > threshold_ms) ++window.slow_sampled;
    c.worst_latency_ms = std::max(c.worst_latency_ms, latency_ms);
  }
  // Acked, but later than the bound, between two sweeps: still unanswered
  // in time, and said so with the same event time a sweep would have used.
  if (deadline_passed(c, t)) report_deadlines(slot, t);
  clear_unacked(slot);
  c.unanswered_reported = false;
}

void PhoneTracker::close(Slot slot, bool closed_by_phone, bool reset, int64_t t) {
  advance(t);
  Connection& c = slots_[slot];
  if ((c.registered || (c.tls && reset)) && !c.unregistering) {
    auto e = phone_event(slot, regwatch::v1::CONNECTION_LOST, t);
    e.mutable_phone()->set_closed_by(std::string(closed_by_phone ? "phone" : "cm") +
                                     (reset ? " rst" : " fin"));
    if (c.last_keepalive_us) e.mutable_phone()->set_silent_for_ms((t - c.last_keepalive_us) / 1000);
    sink_(std::move(e));
  }
  forget(slot);
}

void PhoneTracker::report_deadlines(Slot slot, int64_t now) {
  Connection& c = slots_[slot];
  const int64_t miss_after = c.miss_after_us;
  if (!c.missed_reported && c.last_keepalive_us != 0 && now >= c.last_keepalive_us + miss_after) {
    auto e = phone_event(slot, regwatch::v1::KEEPALIVE_MISSED, c.last_keepalive_us + miss_after);
    e.mutable_phone()->set_silent_for_ms(miss_after / 1000);
    sink_(std::move(e));
    c.missed_reported = true;
    rearm_miss(slot);
  }
  const int64_t bound = unanswered_after_us_;
  if (!c.unanswered_reported && c.unacked_since_us != 0 && now >= c.unacked_since_us + bound) {
    auto e = phone_event(slot, regwatch::v1::KEEPALIVE_UNANSWERED, c.unacked_since_us + bound);
    e.mutable_phone()->set_silent_for_ms(bound / 1000);
    sink_(std::move(e));
    c.unanswered_reported = true;
  }
}

void PhoneTracker::rearm_miss(Slot slot) {
  const Connection& c = slots_[slot];
  const bool armed = c.in_use && !c.unregistering && !c.missed_reported && c.last_keepalive_us != 0;
  miss_due_us_[slot] = armed ? c.last_keepalive_us + c.miss_after_us : kNever;
}

void PhoneTracker::start_unacked(Slot slot, int64_t t) {
  Connection& c = slots_[slot];
  c.unacked_since_us = t;
  unacked_.push_back(slot);
  c.unacked_at = static_cast<uint32_t>(unacked_.size());
}

void PhoneTracker::clear_unacked(Slot slot) {
  Connection& c = slots_[slot];
  c.unacked_since_us = 0;
  if (c.unacked_at == 0) return;
  const Slot last = unacked_.back();
  unacked_[c.unacked_at - 1] = last;
  slots_[last].unacked_at = c.unacked_at;
  unacked_.pop_back();
  c.unacked_at = 0;
}

void PhoneTracker::untally(const Connection& c) {
  if (!c.in_use) return;
  CmWindow& w = windows_[c.window];
  if (w.start_us == 0 || c.latency_window_us != w.start_us) return;
  --w.sampled;
  if (c.worst_latency_ms > settings_.slow_threshold_ms) --w.slow_sampled;
}

void PhoneTracker::sweep(int64_t now) {
  // Every window of packet time: finds the silent phones and the unanswered KeepAlives (their
  // events carry the exact deadline as event time, so the sweep's timing never shows), and
  // closes each CM's window. No per-packet timers, and no pass over every connection's line:
  // a scan of the 8-byte deadlines, the (few) connections waiting for an ack, and the tallies
  // the acks kept (at 100,000 connections the pass over 6 MiB of lines cost about 3 ns a
  // packet, docs/performance.md).
  const int64_t window_us = int64_t{settings_.latency_window_s} * 1'000'000;
  struct Due {
    uint32_t index;
    int64_t end_us;
    WindowTally tally;
  };
  std::vector<Due> due;
  std::vector<uint32_t> due_of_window(windows_.size(), kNotDue);  // index into due
  for (uint32_t i = 0; i < windows_.size(); ++i) {
    const CmWindow& w = windows_[i];
    if (w.start_us != 0 && now >= w.start_us + window_us) {
      due_of_window[i] = static_cast<uint32_t>(due.size());
      due.push_back({i, w.start_us + window_us, {}});
    }
  }
  // The connections with a deadline passed: a keepalive_missed due, or a KeepAlive waiting
  // for its ack (only those can have a keepalive_unanswered due). Checked in slot order, the
  // order of their events.
  sweep_due_.clear();
  for (Slot slot = 0; slot < miss_due_us_.size(); ++slot) {
    if (miss_due_us_[slot] <= now) sweep_due_.push_back(slot);
  }
  for (const Slot slot : unacked_) {
    if (deadline_passed(slots_[slot], now)) sweep_due_.push_back(slot);
  }
  std::sort(sweep_due_.begin(), sweep_due_.end());
  sweep_due_.erase(std::unique(sweep_due_.begin(), sweep_due_.end()), sweep_due_.end());
  for (const Slot slot : sweep_due_) {
    if (deadline_passed(slots_[slot], now)) report_deadlines(slot, now);
  }

  for (Due& d : due) {
    d.tally.sampled = windows_[d.index].sampled;
    d.tally.slow = windows_[d.index].slow_sampled;
  }
  // Phones still waiting for an ack count as slow: a stalled CM answers
  // nothing until it wakes up.
  const auto threshold_us = static_cast<int64_t>(settings_.slow_threshold_ms * 1000);
  for (const Slot slot : unacked_) {
    const Connection& c = slots_[slot];
    if (due_of_window[c.window] == kNotDue) continue;
    Due& d = due[due_of_window[c.window]];
    if (d.end_us - c.unacked_since_us > threshold_us) {
      ++d.tally.unanswered;
      if (c.latency_window_us != windows_[d.index].start_us) ++d.tally.slow;
    }
  }
  for (auto& d : due) {
    CmWindow& w = windows_[d.index];
    close_window(w, d.end_us, d.tally);
    w.latencies_ms.clear();
    start_window(w, now);
  }
  next_sweep_us_ = now - now % window_us + window_us;
}

uint32_t PhoneTracker::window_for(const IpAddress& cm) {
  const auto [it, added] = window_index_.try_emplace(cm, static_cast<uint32_t>(windows_.size()));
  if (added) {
    CmWindow& window = windows_.emplace_back();
    window.cm = cm;
    window.cm_name = cm.to_string();
  }
  return it->second;
}

void PhoneTracker::close_window(CmWindow& w, int64_t end_us, const WindowTally& tally) {
  const capture::CmSlowRule rule{settings_.latency_window_s, settings_.slow_threshold_ms,
                                 settings_.slow_min_phones, settings_.slow_fraction};
  const int64_t start_us = end_us - int64_t{settings_.latency_window_s} * 1'000'000;
  capture::close_cm_window(rule, regwatch::v1::SOURCE_SCCP, w.cm_name, start_us, w.latencies_ms,
                           {tally.sampled + tally.unanswered, tally.slow, tally.unanswered}, w.slow,
                           sink_);
}

}  // namespace regwatch::agent::sccp
