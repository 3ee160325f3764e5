#pragma once
// Everything the agent decodes on the wire, behind one capture::Dispatcher: the SCCP analyzer
// (agent/sccp), the SIP registration analyzer (agent/sip), and the boot chain's DHCP, TFTP and
// HTTP analyzers with the boot tracker that follows each phone from DHCP to registration
// (agent/boot). Frames in, typed events out. What the agent's live capture and pcap replay, the
// benches and the tests run.
//
// The boot tracker also sees the SCCP and SIP analyzers' registration events (a phone that
// registers is out of its boot chain), before they go on to the sink unchanged.
//
// Threads: none; one owner (the capture thread).
#include <cstdint>
#include <memory>
#include <span>

#include "agent/boot/boot_settings.h"
#include "agent/boot/boot_stats.h"
#include "agent/capture/analyzer.h"
#include "agent/sccp/sccp_analyzer.h"
#include "agent/sip/sip_analyzer.h"
#include "common/result.h"

namespace regwatch::agent::wire {

struct WireSettings {
  sccp::SccpSettings sccp;
  boot::BootSettings boot;
  sip::SipSettings sip;
};

struct WireStats {
  sccp::SccpStats sccp;  // with the dispatcher's packets, bytes and decode anomalies
  boot::BootStats boot;
  sip::SipStats sip;
};

class WireCapture {
 public:
  WireCapture(WireSettings settings, const capture::EventSink& sink);
  ~WireCapture();
  // Puts the analyzers behind the dispatcher: an error when two claim one port (the SCCP, SIP
  // and boot ports come from the config).
  Status start();
  WireCapture(const WireCapture&) = delete;
  WireCapture& operator=(const WireCapture&) = delete;

  // One captured frame; time_us is its capture timestamp.
  void on_packet(int link_type, int64_t time_us, std::span<const uint8_t> frame);
  // The wire is quiet (live capture): timers move on by the wall clock.
  void on_idle(int64_t now_us);
  // A capture file ended at last_us (its last packet): the boot chain's timers run out as on a
  // wire that went quiet then (downloads in flight time out, unanswered DISCOVERs and phones
  // leased without a TFTP option are reported), each stamped at its own deadline, so a replay
  // gives what live capture gave. SCCP's and SIP's are left alone: a capture's end is not the
  // phones'.
  void finish(int64_t last_us);
  WireStats stats() const;

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace regwatch::agent::wire
