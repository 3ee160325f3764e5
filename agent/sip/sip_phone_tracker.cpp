#include "agent/sip/sip_phone_tracker.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "agent/capture/cm_latency.h"
#include "common/device_name.h"
#include "common/domain_tables.h"
#include "common/phone_loss_reasons.h"

namespace regwatch::agent::sip {
namespace {

using regwatch::v1::Event;
using regwatch::v1::EventKind;

constexpr int64_t kNever = INT64_MAX;
constexpr int64_t kSecondUs = 1'000'000;
// RFC 3261 Timer F (64 x T1 of 500 ms): a REGISTER with no final answer by then has failed;
// its retransmissions are over and the phone starts a new one.
constexpr int64_t kTransactionTimeoutUs = 32 * kSecondUs;
// What a phone asks when its REGISTER names no Expires (RFC 3261 10.2.1.1 leaves it to the
// registrar; Cisco phones ask 3600).
constexpr uint32_t kDefaultAskedExpiresS = 3600;
constexpr int64_t kForgetScanUs = 60 * kSecondUs;

// Answers the phone meets by asking again, not failures: a digest challenge (401, 407) and a
// registrar's minimum interval (423 Interval Too Brief, with Min-Expires).
bool asks_again(int status) {
  return status == 401 || status == 407 || status == 423;
}

// At most this many CM windows (registrar addresses): a host spraying REGISTERs at many
// addresses cannot grow them without bound.
constexpr size_t kMaxCms = 4096;
constexpr uint32_t kNoWindow = UINT32_MAX;
// A phone that never registered (a typo'd device, a scanner) is forgotten after this long quiet,
// not after phone_forget_s: it holds a slot the fleet may need.
constexpr int64_t kNeverRegisteredForgetUs = 600 * kSecondUs;

std::string endpoint_text(const capture::IpAddress& address, uint16_t port) {
  const std::string host = address.to_string();
  return address.v4 ? host + ":" + std::to_string(port) : "[" + host + "]:" + std::to_string(port);
}

// "Cisco-CP8845/14.2.1" -> "14.2.1": a load when the Reason header gave none.
std::string load_from_user_agent(std::string_view user_agent) {
  const size_t slash = user_agent.find('/');
  if (slash == std::string_view::npos) return {};
  std::string_view version = user_agent.substr(slash + 1);
  version = version.substr(0, version.find(' '));
  return std::string(version);
}

}  // namespace

// The registrar's grant to this phone: its own binding's ;expires in the answer (a registrar
// lists every binding of the line, other phones' and stale ones too, Kamailio with no Expires
// header), else the Expires header, else a lone binding's, else what the phone asked.
template <typename Pending>
uint32_t granted_expires(const Pending& p, const SipMessage& m) {
  for (const SipBinding& b : m.bindings) {
    if (b.expires && b.user == p.contact_user && b.host == p.contact_host) return *b.expires;
  }
  if (m.expires) return *m.expires;
  if (m.bindings.size() == 1 && m.bindings[0].expires) return *m.bindings[0].expires;
  return p.asked_s;
}

std::string_view transport_name(SipTransport transport) {
  switch (transport) {
    case SipTransport::kUdp: return "udp";
    case SipTransport::kTcp: return "tcp";
    case SipTransport::kTls: return "tls";
  }
  return "udp";
}

struct SipPhoneTracker::State {
  // A phone (a device name, else an address of record).
  struct Device {
    std::string name;
    std::string mac;
    uint32_t device_type = 0;
    uint32_t lines_registered = 0;
    bool missed_reported = false;      // until one of its lines registers again
    bool unanswered_reported = false;  // until the CM answers it again
    bool ever_registered = false;
    // Its sample in its CM's latency window: a phone counts once per window, whatever number
    // of REGISTERs (a challenge and the retry, several lines) it sent in it, as SCCP's
    // connection does.
    int64_t sample_window_us = 0;
    double worst_latency_ms = 0;
    uint64_t unanswered_mark = 0;  // the window close that counted it unanswered last
    std::string alarm_load;        // the Reason header's Load=, the firmware it runs
    std::string user_agent;
    std::optional<CiscoAlarm> restart;  // its restart's account, for its next registration
    std::string last_alarm_key;         // the last account taken, and when it came
    int64_t last_alarm_us = 0;
    int last_reject_status = 0;
    int64_t last_reject_us = 0;
    int64_t last_heard_us = 0;
    bool in_use = false;
  };
  // One line's registration (the device and the To address of record).
  struct Line {
    uint32_t device = 0;
    std::string key;     // in line_index
    std::string aor;     // user@host of the To URI: the line, as a key
    std::string scheme;  // the To URI's: sip, sips
    bool registered = false;
    uint32_t expires_s = 0;
    int64_t refreshed_us = 0;  // the REGISTER the last 2xx answered
    uint64_t connection = 0;
    // The Call-ID and registrar of its grant: a 2xx on another Call-ID (the phone rebooted:
    // RFC 3261 10.2.4 makes a new one) or from another registrar (it failed over) is a new
    // registration, even while the old grant runs.
    std::string call_id;
    std::string granted_cm;
    bool unregistering = false;  // an Expires 0 REGISTER waits for its answer
    // While a refresh of this line waits for its answer (until its Timer F runs out): the phone
    // did its part, so a lapse is not said before then.
    int64_t refresh_pending_until_us = 0;
    SipTransport transport = SipTransport::kUdp;
    std::string phone_ip, source_ip, via_proxy, cm_address;
    // The packet addresses source_ip, cm_address and window were made from: a refresh comes
    // from where the last one did, so the text is made again only when they differ.
    capture::IpAddress seen_src, seen_dst;
    uint16_t seen_dst_port = 0;
    bool addresses_known = false;
    uint32_t window = 0;
    uint16_t vlan = 0;
    bool in_use = false;
  };
  // A REGISTER waiting for its final answer.
  struct Pending {
    std::string call_id;
    uint32_t line = 0;
    int64_t sent_us = 0;
    uint32_t asked_s = 0;
    bool unregister = false;
    bool unanswered = false;  // counted as unanswered (reported or covered by its device's)
    uint32_t window = 0;
    std::string contact_user, contact_host;  // the phone's Contact: its binding in the answer
  };
  struct CmWindow {
    std::string name;  // the CM's address as text
    int64_t start_us = 0;
    std::vector<double> latencies_ms;
    uint32_t sampled = 0, slow = 0;  // phones with a sample in the window, and the slow ones
    bool was_slow = false;
  };

  State(const SipSettings& s, capture::EventSink out)
      : settings(s),
        sink(std::move(out)),
        rule{s.latency_window_s, s.slow_threshold_ms, s.slow_min_phones, s.slow_fraction} {}

  void on_register(const SipMessage& m, const SipPacketInfo& packet, int64_t t);
  void on_answer(const SipMessage& m, int64_t t);
  void answered_ok(Pending& p, const SipMessage& m, int64_t t);
  void answered_failure(const Pending& p, const SipMessage& m, int64_t t);
  void connection_closed(uint64_t connection, const std::string& closer, bool reset, int64_t t);
  void sweep(int64_t now);
  void close_due_windows(int64_t now);
  void forget_idle(int64_t now);

  uint32_t device_for(const std::string& name, const SipMessage& m, int64_t t, bool& full);
  uint32_t line_for(uint32_t device, const std::string& number, bool& full);
  const std::string& transaction_key(const SipMessage& m);
  // The line's address text and CM window from the packet, made again only when its addresses
  // change; false when the CM is one too many (kMaxCms).
  bool note_addresses(Line& line, const SipPacketInfo& packet);
  uint32_t window_for(const std::string& cm);
  void start_window(CmWindow& w, int64_t t) const {
    const int64_t window_us = int64_t{settings.latency_window_s} * kSecondUs;
    w.start_us = t - t % window_us;
    w.sampled = w.slow = 0;
  }
  void note_firmware(uint32_t line, const SipMessage& m, int64_t t);
  void line_down(Line& line);
  // The line's grant ran out at its deadline (keepalive_missed, once per phone until it
  // registers again).
  void report_lapse(uint32_t index);
  // A REGISTER still unanswered unanswered_after_ms after it was sent (once per phone until the
  // CM answers it).
  void report_unanswered(Pending& p);
  void sample_latency(CmWindow& w, Device& d, double latency_ms);
  Event phone_event(const Line& line, EventKind kind, int64_t t) const;
  void count(const char* anomaly) { ++anomalies[anomaly]; }

  SipSettings settings;
  capture::EventSink sink;
  capture::CmSlowRule rule;
  std::vector<Device> devices;
  std::vector<uint32_t> free_devices;
  std::unordered_map<std::string, uint32_t> device_index;
  std::vector<Line> lines;
  std::vector<int64_t> due_us;  // per line: when its refresh is overdue; kNever when not armed
  std::vector<uint32_t> free_lines;
  std::unordered_map<std::string, uint32_t> line_index;
  std::unordered_map<std::string, Pending> pending;  // by Call-ID and CSeq
  std::unordered_map<uint64_t, std::vector<uint32_t>> connection_lines;
  std::vector<CmWindow> windows;
  std::unordered_map<std::string, uint32_t> window_index;
  std::map<std::string, uint64_t> anomalies;
  // Keys made per message go into these, so that a lookup of a known transaction, phone or
  // line allocates nothing (the capacity is kept from one message to the next).
  std::string transaction_scratch, aor_scratch, line_key_scratch;
  int64_t now_us = 0;
  int64_t next_sweep_us = 0;
  int64_t next_forget_us = 0;
  uint64_t window_closes = 0;
};

SipPhoneTracker::SipPhoneTracker(const SipSettings& settings, capture::EventSink sink)
    : state_(std::make_unique<State>(settings, std::move(sink))) {}

SipPhoneTracker::~SipPhoneTracker() = default;

size_t SipPhoneTracker::phones() const {
  return state_->device_index.size();
}

size_t SipPhoneTracker::registrations() const {
  return state_->line_index.size();
}

const std::map<std::string, uint64_t>& SipPhoneTracker::anomalies() const {
  return state_->anomalies;
}

void SipPhoneTracker::advance(int64_t now_us) {
  State& s = *state_;
  if (now_us < s.now_us) now_us = s.now_us;  // packets slightly out of order: time never goes back
  s.now_us = now_us;
  if (now_us >= s.next_sweep_us) s.sweep(now_us);
}

void SipPhoneTracker::on_message(const SipMessage& message, const SipPacketInfo& packet,
                                 int64_t time_us) {
  advance(time_us);
  if (message.request) {
    if (message.method == "REGISTER") state_->on_register(message, packet, time_us);
  } else if (message.cseq_method == "REGISTER" && message.status >= 200) {
    state_->on_answer(message, time_us);
  }
}

void SipPhoneTracker::on_connection_closed(uint64_t connection, const capture::IpAddress& closer,
                                           uint16_t closer_port, bool reset, int64_t time_us) {
  advance(time_us);
  state_->connection_closed(connection, endpoint_text(closer, closer_port), reset, time_us);
}

void SipPhoneTracker::on_connection_forgotten(uint64_t connection) {
  state_->connection_lines.erase(connection);
}

void SipPhoneTracker::on_tls_reset(const SipPacketInfo& phone_to_cm, bool closed_by_phone,
                                   int64_t opened_us, int64_t time_us) {
  advance(time_us);
  Event e;
  const std::string cm = phone_to_cm.dst.to_string();
  e.set_event_time_us(time_us);
  e.set_origin(cm);
  e.set_source(regwatch::v1::SOURCE_SIP);
  e.set_kind(regwatch::v1::CONNECTION_LOST);
  auto* p = e.mutable_phone();
  p->set_ip(phone_to_cm.src.to_string());
  p->set_source_ip(p->ip());
  p->set_protocol("SIP/TLS");
  p->set_transport("tls");
  p->set_cm_node(cm);
  p->set_cm_address(endpoint_text(phone_to_cm.dst, phone_to_cm.dst_port));
  p->set_vlan(phone_to_cm.vlan);
  p->set_closed_by(std::string(closed_by_phone ? "phone" : "cm") + " rst");
  p->set_silent_for_ms((time_us - opened_us) / 1000);
  state_->sink(std::move(e));
}

uint32_t SipPhoneTracker::State::device_for(const std::string& name, const SipMessage& m, int64_t t,
                                            bool& full) {
  if (const auto found = device_index.find(name); found != device_index.end()) {
    return found->second;
  }
  if (device_index.size() >= settings.max_phones) {
    full = true;
    return 0;
  }
  uint32_t index;
  if (!free_devices.empty()) {
    index = free_devices.back();
    free_devices.pop_back();
  } else {
    index = static_cast<uint32_t>(devices.size());
    devices.emplace_back();
  }
  Device& d = devices[index];
  d = Device{};
  d.in_use = true;
  d.name = name;
  d.mac = m.instance_mac.empty() ? mac_from_device_name(name) : m.instance_mac;
  d.last_heard_us = t;
  device_index.emplace(name, index);
  return index;
}

uint32_t SipPhoneTracker::State::line_for(uint32_t device, const std::string& number, bool& full) {
  std::string& key = line_key_scratch;
  key.assign(devices[device].name);
  key.push_back('\n');
  key.append(number);
  if (const auto found = line_index.find(key); found != line_index.end()) return found->second;
  if (line_index.size() >= settings.max_phones) {
    full = true;
    return 0;
  }
  uint32_t index;
  if (!free_lines.empty()) {
    index = free_lines.back();
    free_lines.pop_back();
  } else {
    index = static_cast<uint32_t>(lines.size());
    lines.emplace_back();
    due_us.push_back(kNever);
  }
  Line& line = lines[index];
  line = Line{};
  line.in_use = true;
  line.device = device;
  line.key = key;
  due_us[index] = kNever;
  line_index.emplace(key, index);
  return index;
}

// A transaction is its Call-ID and CSeq number (RFC 3261 17.1.3 matches on the branch, which a
// phone's refreshes also change; the CSeq is what its answer is sure to repeat).
const std::string& SipPhoneTracker::State::transaction_key(const SipMessage& m) {
  std::string& key = transaction_scratch;
  key.assign(m.call_id);
  key.push_back(' ');
  char digits[16];
  const auto end = std::to_chars(digits, digits + sizeof digits, m.cseq).ptr;
  key.append(digits, end);
  return key;
}

bool SipPhoneTracker::State::note_addresses(Line& line, const SipPacketInfo& packet) {
  if (line.addresses_known && line.seen_src == packet.src && line.seen_dst == packet.dst &&
      line.seen_dst_port == packet.dst_port) {
    return true;
  }
  const uint32_t window = window_for(packet.dst.to_string());
  if (window == kNoWindow) return false;
  line.window = window;
  line.source_ip = packet.src.to_string();
  line.cm_address = endpoint_text(packet.dst, packet.dst_port);
  line.seen_src = packet.src;
  line.seen_dst = packet.dst;
  line.seen_dst_port = packet.dst_port;
  line.addresses_known = true;
  return true;
}

uint32_t SipPhoneTracker::State::window_for(const std::string& cm) {
  if (const auto found = window_index.find(cm); found != window_index.end()) return found->second;
  if (windows.size() >= kMaxCms) return kNoWindow;
  window_index.emplace(cm, static_cast<uint32_t>(windows.size()));
  windows.emplace_back().name = cm;
  return static_cast<uint32_t>(windows.size() - 1);
}

void SipPhoneTracker::State::on_register(const SipMessage& m, const SipPacketInfo& packet,
                                         int64_t t) {
  const std::string& transaction = transaction_key(m);
  if (pending.contains(transaction)) {
    count("register_retransmitted");  // UDP retransmissions keep the first's time
    return;
  }
  std::string& aor = aor_scratch;
  if (m.to.user.empty()) {
    aor.assign(m.to.host);
  } else {
    aor.assign(m.to.user);
    if (!m.to.host.empty()) {
      aor.push_back('@');
      aor.append(m.to.host);
    }
  }
  std::string name = sip_device_name(m);
  if (name.empty()) name = aor;
  if (name.empty()) {
    count("register_without_identity");
    return;
  }
  bool full = false;
  const uint32_t device = device_for(name, m, t, full);
  // A line is its number (the To user): a phone that fails over to its backup CM addresses the
  // same line at another host.
  const uint32_t index = full ? 0 : line_for(device, m.to.user.empty() ? aor : m.to.user, full);
  if (full) {
    count("phones_full");
    return;
  }
  if (pending.size() >= settings.max_transactions) {
    count("transactions_full");
    return;
  }
  // A lapse the sweep has not said yet (it runs once a second) is said before this REGISTER
  // renews the line, so the events do not depend on when the sweep ran.
  if (due_us[index] <= t) report_lapse(index);
  if (!note_addresses(lines[index], packet)) {
    count("cms_full");
    return;
  }
  Device& d = devices[device];
  d.last_heard_us = t;
  if (!m.model.empty() && m.model.find_first_not_of("0123456789") == std::string::npos &&
      m.model.size() < 10) {
    d.device_type = static_cast<uint32_t>(std::stoul(m.model));
  }
  Line& line = lines[index];
  line.aor = aor;
  line.scheme = m.to.scheme.empty() ? "sip" : m.to.scheme;
  line.transport = packet.transport;
  line.vlan = packet.vlan;
  if (m.via_hosts.size() > 1) {
    // Through a proxy or SBC: the bottom Via is the phone's own; the packet's is the proxy's.
    line.phone_ip = m.via_hosts.back();
    line.via_proxy = line.source_ip;
  } else {
    line.phone_ip = m.contact.host.empty() ? line.source_ip : m.contact.host;
    line.via_proxy.clear();
  }
  if (packet.connection != 0 && line.connection != packet.connection) {
    line.connection = packet.connection;
    connection_lines[packet.connection].push_back(index);
  }
  if (m.cisco_alarm) {
    // One restart, one account: a phone that puts the Reason header on each line's first
    // REGISTER (or repeats it after a challenge) restarted once.
    std::string key = std::to_string(m.cisco_alarm->alarm) + ' ' + m.cisco_alarm->load + ' ' +
                      m.cisco_alarm->last;
    if (key != d.last_alarm_key || t - d.last_alarm_us > kNeverRegisteredForgetUs) {
      d.restart = m.cisco_alarm;
      d.last_alarm_key = std::move(key);
    }
    d.last_alarm_us = t;
  }
  note_firmware(index, m, t);

  CmWindow& w = windows[line.window];
  if (w.start_us == 0) start_window(w, t);  // a CM stalled from the start still shows
  const uint32_t asked = m.contact_expires.value_or(m.expires.value_or(kDefaultAskedExpiresS));
  const bool unregister = m.contact_star || asked == 0;
  if (unregister) line.unregistering = true;
  line.refresh_pending_until_us = t + kTransactionTimeoutUs;
  pending.emplace(transaction, Pending{m.call_id, index, t, asked, unregister, false, line.window,
                                       m.contact.user, m.contact.host});
}

void SipPhoneTracker::State::note_firmware(uint32_t index, const SipMessage& m, int64_t t) {
  Line& line = lines[index];
  Device& d = devices[line.device];
  std::string previous, current;
  if (m.cisco_alarm && !m.cisco_alarm->load.empty()) {
    // The Reason header's Load= is the firmware's own name: compared with the last one only.
    if (!d.alarm_load.empty() && d.alarm_load != m.cisco_alarm->load) {
      previous = d.alarm_load;
      current = m.cisco_alarm->load;
    }
    d.alarm_load = m.cisco_alarm->load;
  } else if (!m.user_agent.empty() && !d.user_agent.empty() && d.user_agent != m.user_agent &&
             d.alarm_load.empty()) {
    previous = load_from_user_agent(d.user_agent);
    current = load_from_user_agent(m.user_agent);
  }
  if (!m.user_agent.empty()) d.user_agent = m.user_agent;
  if (previous.empty() || current.empty() || previous == current) return;
  Event e = phone_event(line, regwatch::v1::PHONE_FIRMWARE_CHANGED, t);
  e.mutable_phone()->set_load_name(current);
  e.mutable_phone()->set_previous_load_name(previous);
  sink(std::move(e));
}

void SipPhoneTracker::State::on_answer(const SipMessage& m, int64_t t) {
  const auto found = pending.find(transaction_key(m));
  if (found == pending.end()) {
    count("answer_without_request");  // its REGISTER was before the capture, or a retransmission
    return;
  }
  Pending p = std::move(found->second);
  pending.erase(found);
  Line& line = lines[p.line];
  if (!line.in_use) return;
  // Answered later than the bound, between two sweeps: still unanswered in time, said with the
  // event time a sweep would have used.
  if (!p.unanswered && t >= p.sent_us + int64_t{settings.unanswered_after_ms} * 1000) {
    report_unanswered(p);
  }
  Device& d = devices[line.device];
  CmWindow& w = windows[p.window];
  if (w.start_us == 0) start_window(w, t);
  sample_latency(w, d, static_cast<double>(t - p.sent_us) / 1000.0);
  line.refresh_pending_until_us = 0;
  line.unregistering = false;
  d.unanswered_reported = false;
  if (asks_again(m.status)) return;  // the phone asks again: credentials, a longer Expires
  if (m.status < 300) {
    answered_ok(p, m, t);
  } else {
    answered_failure(p, m, t);
  }
}

void SipPhoneTracker::State::line_down(Line& line) {
  const auto index = static_cast<uint32_t>(&line - lines.data());
  due_us[index] = kNever;
  if (!line.registered) return;
  line.registered = false;
  --devices[line.device].lines_registered;
}

void SipPhoneTracker::State::answered_ok(Pending& p, const SipMessage& m, int64_t t) {
  Line& line = lines[p.line];
  Device& d = devices[line.device];
  if (p.unregister) {
    line_down(line);
    if (d.lines_registered == 0) {
      Event e = phone_event(line, regwatch::v1::PHONE_UNREGISTERED, t);
      e.mutable_phone()->set_reason("Expires 0");
      e.mutable_phone()->set_last_signal("REGISTER Expires: 0");
      sink(std::move(e));
    }
    return;
  }
  const uint32_t granted = granted_expires(p, m);
  const bool was_registered = d.lines_registered > 0;
  const bool new_binding =
      line.registered && (line.call_id != p.call_id || line.granted_cm != line.cm_address);
  if (!line.registered) {
    line.registered = true;
    ++d.lines_registered;
    d.missed_reported = false;  // a line back: its phone's next silence is news again
  }
  d.ever_registered = true;
  line.call_id = std::move(p.call_id);
  line.granted_cm = line.cm_address;
  line.expires_s = granted;
  line.refreshed_us = p.sent_us;
  due_us[p.line] = p.sent_us + (int64_t{granted} + settings.refresh_grace_s) * kSecondUs;
  d.last_reject_status = 0;
  // A refresh is the phone's keepalive. A phone that restarted (its Reason header, or a new
  // Call-ID, says so) or moved to another CM registers anew even while its old grant runs.
  if (was_registered && !d.restart && !new_binding) return;
  d.missed_reported = false;
  Event e = phone_event(line, regwatch::v1::PHONE_REGISTERED, t);
  if (d.restart) {
    auto* phone = e.mutable_phone();
    phone->set_cisco_alarm(d.restart->alarm);
    phone->set_last_loss(d.restart->last);
    if (const auto* known = domain::phone_loss_reason(d.restart->last)) {
      phone->set_last_loss_name(std::string(known->name));
      phone->set_last_loss_class(std::string(known->reason_class));
    } else if (!d.restart->last.empty()) {
      phone->set_last_loss_class("other");
    }
    d.restart.reset();
  }
  sink(std::move(e));
}

void SipPhoneTracker::State::answered_failure(const Pending& p, const SipMessage& m, int64_t t) {
  Line& line = lines[p.line];
  Device& d = devices[line.device];
  line_down(line);
  const bool repeated = d.last_reject_status == m.status &&
                        t - d.last_reject_us < int64_t{settings.reject_repeat_s} * kSecondUs;
  if (repeated) {
    count("reject_repeated");  // an MPP phone retries every 30 s: said once per reject_repeat_s
    return;
  }
  d.last_reject_status = m.status;
  d.last_reject_us = t;
  Event e = phone_event(line, regwatch::v1::PHONE_REGISTRATION_FAILED, t);
  auto* phone = e.mutable_phone();
  phone->set_sip_status(static_cast<uint32_t>(m.status));
  std::string reason = std::to_string(m.status);
  if (!m.reason_phrase.empty()) reason += " " + m.reason_phrase;
  if (!m.warning.empty()) reason += ": " + m.warning;
  phone->set_reason(reason);
  sink(std::move(e));
}

void SipPhoneTracker::State::connection_closed(uint64_t connection, const std::string& closer,
                                               bool reset, int64_t t) {
  const auto found = connection_lines.find(connection);
  if (found == connection_lines.end()) return;
  const std::vector<uint32_t> indexes = std::move(found->second);
  connection_lines.erase(found);
  std::vector<uint32_t> reported;  // devices said lost already
  for (const uint32_t index : indexes) {
    Line& line = lines[index];
    if (!line.in_use || line.connection != connection) continue;
    line.connection = 0;
    if (!line.registered) continue;
    if (line.unregistering) {  // it said goodbye, then closed: no loss
      line_down(line);
      continue;
    }
    const uint32_t device = line.device;
    const int64_t refreshed_us = line.refreshed_us;
    line_down(line);
    if (std::find(reported.begin(), reported.end(), device) != reported.end()) continue;
    reported.push_back(device);
    Event e = phone_event(line, regwatch::v1::CONNECTION_LOST, t);
    const bool by_cm = closer == line.cm_address;
    e.mutable_phone()->set_closed_by(std::string(by_cm ? "cm" : "phone") +
                                     (reset ? " rst" : " fin"));
    e.mutable_phone()->set_silent_for_ms((t - refreshed_us) / 1000);
    sink(std::move(e));
  }
}

void SipPhoneTracker::State::report_lapse(uint32_t index) {
  Line& line = lines[index];
  // A refresh waiting for its answer defers the lapse to its Timer F: the phone did its part.
  const int64_t due = std::max(due_us[index], line.refresh_pending_until_us);
  const int64_t refreshed_us = line.refreshed_us;
  line_down(line);
  Device& d = devices[line.device];
  if (d.missed_reported) return;
  d.missed_reported = true;
  Event e = phone_event(line, regwatch::v1::KEEPALIVE_MISSED, due);
  e.mutable_phone()->set_silent_for_ms((due - refreshed_us) / 1000);
  sink(std::move(e));
}

void SipPhoneTracker::State::report_unanswered(Pending& p) {
  p.unanswered = true;
  Line& line = lines[p.line];
  Device& d = devices[line.device];
  if (!line.in_use || d.unanswered_reported) return;
  d.unanswered_reported = true;
  const int64_t bound_us = int64_t{settings.unanswered_after_ms} * 1000;
  Event e = phone_event(line, regwatch::v1::KEEPALIVE_UNANSWERED, p.sent_us + bound_us);
  e.mutable_phone()->set_silent_for_ms(bound_us / 1000);
  sink(std::move(e));
}

void SipPhoneTracker::State::sample_latency(CmWindow& w, Device& d, double latency_ms) {
  w.latencies_ms.push_back(latency_ms);
  const bool slow = latency_ms > settings.slow_threshold_ms;
  if (d.sample_window_us != w.start_us) {
    d.sample_window_us = w.start_us;
    d.worst_latency_ms = latency_ms;
    ++w.sampled;
    if (slow) ++w.slow;
    return;
  }
  if (slow && d.worst_latency_ms <= settings.slow_threshold_ms) ++w.slow;
  d.worst_latency_ms = std::max(d.worst_latency_ms, latency_ms);
}

void SipPhoneTracker::State::sweep(int64_t now) {
  // The windows first: a REGISTER still waiting at a window's end counts there even when this
  // sweep comes after its Timer F (a replay whose next packet is late sees what live saw).
  close_due_windows(now);
  // Overdue refreshes: the line's registration has lapsed at the registrar.
  for (uint32_t index = 0; index < due_us.size(); ++index) {
    if (due_us[index] > now) continue;
    if (lines[index].refresh_pending_until_us > now) continue;  // unanswered, not silent
    report_lapse(index);
  }
  // REGISTERs without their answer: unanswered past the bound, failed past Timer F.
  const int64_t bound_us = int64_t{settings.unanswered_after_ms} * 1000;
  for (auto it = pending.begin(); it != pending.end();) {
    Pending& p = it->second;
    if (!p.unanswered && now >= p.sent_us + bound_us) report_unanswered(p);
    if (now >= p.sent_us + kTransactionTimeoutUs) {
      count("register_timed_out");
      it = pending.erase(it);
    } else {
      ++it;
    }
  }
  if (now >= next_forget_us) {
    forget_idle(now);
    next_forget_us = now + kForgetScanUs;
  }
  next_sweep_us = now - now % kSecondUs + kSecondUs;
}

void SipPhoneTracker::State::close_due_windows(int64_t now) {
  const int64_t window_us = int64_t{settings.latency_window_s} * kSecondUs;
  const auto threshold_us = static_cast<int64_t>(settings.slow_threshold_ms * 1000);
  std::vector<uint32_t> due;
  for (uint32_t index = 0; index < windows.size(); ++index) {
    const CmWindow& w = windows[index];
    if (w.start_us != 0 && now >= w.start_us + window_us) due.push_back(index);
  }
  if (due.empty()) return;
  std::vector<capture::CmWindowTally> tallies(windows.size());
  // REGISTERs still waiting at their window's end count as slow (a stalled CM answers nothing
  // until it wakes up): each phone once, and as a phone of the window only if it had no answer
  // in it. One pass over the waiting REGISTERs for all windows due.
  ++window_closes;
  for (const auto& [transaction, p] : pending) {
    const CmWindow& w = windows[p.window];
    const int64_t end_us = w.start_us + window_us;
    if (w.start_us == 0 || now < end_us || p.sent_us >= end_us ||
        end_us - p.sent_us <= threshold_us) {
      continue;
    }
    Device& d = devices[lines[p.line].device];
    if (d.unanswered_mark == window_closes) continue;
    d.unanswered_mark = window_closes;
    capture::CmWindowTally& tally = tallies[p.window];
    ++tally.unanswered;
    if (d.sample_window_us != w.start_us) {
      ++tally.phones;
      ++tally.slow;
    }
  }
  for (const uint32_t index : due) {
    CmWindow& w = windows[index];
    capture::CmWindowTally& tally = tallies[index];
    tally.phones += w.sampled;
    tally.slow += w.slow;
    capture::close_cm_window(rule, regwatch::v1::SOURCE_SIP, w.name, w.start_us, w.latencies_ms,
                             tally, w.was_slow, sink);
    w.latencies_ms.clear();
    start_window(w, now);
  }
}

void SipPhoneTracker::State::forget_idle(int64_t now) {
  const int64_t idle_us = int64_t{settings.phone_forget_s} * kSecondUs;
  std::vector<bool> forgotten(devices.size(), false);
  for (uint32_t index = 0; index < devices.size(); ++index) {
    Device& d = devices[index];
    const int64_t limit_us = d.ever_registered ? idle_us : kNeverRegisteredForgetUs;
    if (!d.in_use || now - d.last_heard_us <= limit_us || d.lines_registered > 0) continue;
    forgotten[index] = true;
    device_index.erase(d.name);
    d = Device{};
    free_devices.push_back(index);
  }
  for (uint32_t index = 0; index < lines.size(); ++index) {
    Line& line = lines[index];
    if (!line.in_use || !forgotten[line.device]) continue;
    line_index.erase(line.key);
    line = Line{};
    due_us[index] = kNever;
    free_lines.push_back(index);
  }
  for (auto it = pending.begin(); it != pending.end();) {
    it = lines[it->second.line].in_use ? std::next(it) : pending.erase(it);
  }
}

Event SipPhoneTracker::State::phone_event(const Line& line, EventKind kind, int64_t t) const {
  const Device& d = devices[line.device];
  const CmWindow& w = windows[line.window];
  Event e;
  e.set_event_time_us(t);
  e.set_origin(w.name);
  e.set_source(regwatch::v1::SOURCE_SIP);
  e.set_kind(kind);
  auto* p = e.mutable_phone();
  p->set_device_name(d.name);
  p->set_mac(d.mac);
  p->set_ip(line.phone_ip);
  p->set_source_ip(line.source_ip);
  p->set_protocol("SIP");
  p->set_transport(std::string(transport_name(line.transport)));
  if (d.device_type != 0) {
    p->set_device_type(d.device_type);
    p->set_device_type_name(
        std::string(domain::device_type_name(static_cast<int32_t>(d.device_type))));
  }
  p->set_cm_node(w.name);
  p->set_cm_address(line.cm_address);
  p->set_keepalive_interval_s(line.expires_s);
  p->set_vlan(line.vlan);
  p->set_load_name(d.alarm_load.empty() ? load_from_user_agent(d.user_agent) : d.alarm_load);
  p->set_user_agent(d.user_agent);
  p->set_via_proxy(line.via_proxy);
  p->set_line(line.scheme + ":" + line.aor);
  return e;
}

}  // namespace regwatch::agent::sip
