#include "agent/wire/wire_capture.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "agent/boot/boot_tracker.h"
#include "agent/boot/dhcp_analyzer.h"
#include "agent/boot/http_analyzer.h"
#include "agent/boot/tftp_analyzer.h"
#include "agent/capture/dispatcher.h"

namespace regwatch::agent::wire {
namespace {

bool ends_a_boot(regwatch::v1::EventKind kind) {
  return kind == regwatch::v1::PHONE_REGISTERED || kind == regwatch::v1::PHONE_REGISTRATION_FAILED;
}

}  // namespace

// Declaration order is construction order: the tracker before the analyzers that feed it, the
// analyzers before the dispatcher that borrows them (and is destroyed first).
struct WireCapture::Parts {
  Parts(WireSettings settings, const capture::EventSink& sink)
      : boot_enabled(settings.boot.enabled),
        boot_settings(settings.boot),
        tracker(settings.boot, sink),
        sip_enabled(settings.sip.enabled),
        sccp(std::move(settings.sccp), registrations_to(sink)),
        sip(std::move(settings.sip), registrations_to(sink)),
        dhcp(settings.boot, tracker),
        tftp(settings.boot, tracker),
        http(settings.boot, tracker) {}

  // A registration ends a boot: the tracker reads it first (no copy on the steady state's
  // path), then it goes on unchanged.
  capture::EventSink registrations_to(const capture::EventSink& sink) {
    return [this, sink](regwatch::v1::Event event) {
      if (boot_enabled && ends_a_boot(event.kind())) tracker.observe(event);
      sink(std::move(event));
    };
  }

  bool boot_enabled;
  boot::BootSettings boot_settings;
  boot::BootTracker tracker;
  bool sip_enabled;
  sccp::SccpAnalyzer sccp;
  sip::SipAnalyzer sip;
  boot::DhcpAnalyzer dhcp;
  boot::TftpAnalyzer tftp;
  boot::HttpAnalyzer http;
  capture::Dispatcher dispatcher;
};

WireCapture::WireCapture(WireSettings settings, const capture::EventSink& sink)
    : parts_(std::make_unique<Parts>(std::move(settings), sink)) {}

WireCapture::~WireCapture() = default;

Status WireCapture::start() {
  // SCCP first: its keepalive lane takes the steady state's frames before any decoding.
  if (auto added = parts_->dispatcher.add(parts_->sccp); !added.ok()) return added;
  if (parts_->sip_enabled) {
    if (auto added = parts_->dispatcher.add(parts_->sip); !added.ok()) return added;
  }
  if (!parts_->boot_enabled) return Ok{};
  for (capture::Analyzer* analyzer :
       std::initializer_list<capture::Analyzer*>{&parts_->dhcp, &parts_->tftp, &parts_->http}) {
    if (auto added = parts_->dispatcher.add(*analyzer); !added.ok()) return added;
  }
  return Ok{};
}

void WireCapture::on_packet(int link_type, int64_t time_us, std::span<const uint8_t> frame) {
  parts_->dispatcher.on_packet(link_type, time_us, frame);
}

void WireCapture::on_idle(int64_t now_us) {
  parts_->dispatcher.on_idle(now_us);
}

void WireCapture::finish(int64_t last_us) {
  if (!parts_->boot_enabled) return;
  const boot::BootSettings& b = parts_->boot_settings;
  const uint32_t longest_s = std::max(
      {b.transfer_timeout_s, b.dhcp_offer_timeout_s, b.no_tftp_grace_s, b.server_silence_s});
  const int64_t until_us = last_us + (int64_t{longest_s} + 1) * 1'000'000;
  for (capture::Analyzer* analyzer :
       std::initializer_list<capture::Analyzer*>{&parts_->dhcp, &parts_->tftp, &parts_->http}) {
    analyzer->on_idle(until_us);
  }
}

WireStats WireCapture::stats() const {
  WireStats s;
  s.sccp = parts_->sccp.stats();
  const capture::CaptureStats& capture = parts_->dispatcher.stats();
  s.sccp.packets = capture.packets;
  s.sccp.bytes = capture.bytes;
  for (const auto& [name, n] : capture.anomalies) s.sccp.anomalies[name] += n;
  s.sip = parts_->sip.stats();
  s.boot = parts_->tracker.stats();
  s.boot.clients = parts_->tracker.phones();
  s.boot.transfers_in_flight = parts_->tftp.transfers_in_flight() + parts_->http.connections();
  // A rough footprint: per phone and per client a few hundred bytes of strings and maps, plus
  // the configs held while they arrive.
  s.boot.tracked_bytes = (parts_->tracker.phones() + parts_->dhcp.clients()) * 512 +
                         s.boot.transfers_in_flight * 256 + parts_->tftp.held_bytes();
  return s;
}

}  // namespace regwatch::agent::wire
