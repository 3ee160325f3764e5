#pragma once
// --capture IFACE: the wire analyzers (SCCP, SIP and the boot chain, agent/wire/wire_capture.h)
// on a live interface, on its own thread.
// When the wire is quiet (the read times out) the analyzer is told the wall
// clock, so a phone that went silent is still flagged.
//
// Threads: start/stop/stats from any one thread; the sink is called on the
// capture thread.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "agent/capture/pcap_source.h"
#include "agent/wire/wire_capture.h"
#include "common/clock.h"

namespace regwatch::agent {

class LiveCapture {
 public:
  // filter "": built from the SCCP ports and, when SIP and the boot chain are on, theirs.
  LiveCapture(std::string interface, std::string filter, wire::WireSettings settings,
              std::function<void(regwatch::v1::Event)> sink, const Clock& clock);
  ~LiveCapture();
  Status start();
  void stop();
  sccp::SccpStats stats() const;
  boot::BootStats boot_stats() const;
  sip::SipStats sip_stats() const;
  uint64_t kernel_drops() const;

 private:
  void run();

  std::string interface_;
  std::string filter_;
  bool boot_enabled_;
  bool sip_enabled_;
  const Clock& clock_;
  mutable std::mutex mutex_;  // guards analyzer_ (stats() reads it from another thread)
  wire::WireCapture analyzer_;
  std::unique_ptr<capture::PcapSource> source_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> kernel_drops_{0};
  std::thread thread_;
};

}  // namespace regwatch::agent
