#pragma once
// Per-phone SIP registration state from REGISTERs and their answers, and the events it implies,
// all by packet time (a capture replayed later gives the events it gave live). The same events
// as SCCP's PhoneTracker, so that the collector reads SIP phones unchanged (docs/sip.md):
//   phone_registered           the first 2xx to a REGISTER of a phone not registered (or
//                              restarted: its REGISTER carried Cisco's Reason header), with
//                              the Expires granted, the CM, the firmware load and the phone's
//                              own account of its last loss (common/phone_loss_reasons.h)
//   keepalive_missed           no refresh within the granted Expires plus refresh_grace_s: the
//                              refresh is the phone's keepalive (CUCM grants 120 s)
//   keepalive_unanswered       a REGISTER without a final answer after unanswered_after_ms
//   keepalive_latency, cm_slow, cm_recovered
//                              per CM and window, REGISTER to final answer (agent/capture/
//                              cm_latency.h: the rule SCCP uses)
//   phone_unregistered         a REGISTER with Expires 0 answered 2xx (the phone's last line)
//   phone_registration_failed  a final answer of 300 or more other than a 401/407 challenge:
//                              the status, and the reason phrase and Warning text
//   connection_lost            the TCP connection a registration was made over closed or was
//                              reset; a TLS connection reset (TLS hides the phone's name)
//   phone_firmware_changed     a device's load differs from the one seen before
//
// A phone is its device name (the Contact's devicename parameter or a SEP... user), else its
// address of record; each of its lines (To) registers on its own and refreshes on its own.
// Events are per phone: registered when its first line is, unregistered when its last line is,
// missed once when one of its lines goes silent (a phone that dies silences all of them).
// Behind a proxy or SBC the phone's own address is the last Via's (the events name the phone,
// via_proxy the proxy).
//
// Deadlines are checked by advance(now), once a second of packet time; events carry their
// deadline as event time, so the check's timing never shows.
//
// Threads: none; one owner (the capture thread).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "agent/capture/analyzer.h"
#include "agent/capture/packet_decoder.h"
#include "agent/sip/sip_message.h"
#include "agent/sip/sip_settings.h"

namespace regwatch::agent::sip {

enum class SipTransport : uint8_t { kUdp, kTcp, kTls };
std::string_view transport_name(SipTransport transport);

// Where a message was seen.
struct SipPacketInfo {
  capture::IpAddress src, dst;
  uint16_t src_port = 0, dst_port = 0;
  uint16_t vlan = 0;
  SipTransport transport = SipTransport::kUdp;
  uint64_t connection = 0;  // the analyzer's id of the TCP connection; 0 for UDP
};

class SipPhoneTracker {
 public:
  SipPhoneTracker(const SipSettings& settings, capture::EventSink sink);
  ~SipPhoneTracker();
  SipPhoneTracker(const SipPhoneTracker&) = delete;
  SipPhoneTracker& operator=(const SipPhoneTracker&) = delete;

  // A decoded message; anything but a REGISTER and the answers to one is only counted.
  void on_message(const SipMessage& message, const SipPacketInfo& packet, int64_t time_us);
  // A TCP connection ended (FIN or RST from closer): the registrations made over it are lost.
  void on_connection_closed(uint64_t connection, const capture::IpAddress& closer,
                            uint16_t closer_port, bool reset, int64_t time_us);
  // A TCP connection the analyzer stopped following without seeing its end (idle, or its
  // bounds): no event, its registrations are left to their refresh deadlines.
  void on_connection_forgotten(uint64_t connection);
  // A TLS connection to a SIP TLS port was reset (by the phone when closed_by_phone):
  // connection_lost without a name (TLS hides it), the phone by its address.
  void on_tls_reset(const SipPacketInfo& phone_to_cm, bool closed_by_phone, int64_t opened_us,
                    int64_t time_us);
  void advance(int64_t now_us);

  size_t phones() const;         // devices followed now
  size_t registrations() const;  // lines followed now
  // Named counts of what was ignored or bounded: "register_without_call_id",
  // "answer_without_request", "phones_full", "transactions_full", "register_timed_out"...
  const std::map<std::string, uint64_t>& anomalies() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace regwatch::agent::sip
