#include "agent/app/live_capture.h"

#include <string>
#include <vector>

#include "common/logging.h"

namespace regwatch::agent {
namespace {

// How long a quiet wire may keep the capture thread asleep: timers (keepalive_missed, latency
// windows) run at least this often, and stop() returns within it.
constexpr int kIdleWaitMs = 100;

// The SCCP ports, clear and TLS, SIP's (UDP and TCP, and TLS), and the boot chain's: the kernel
// hands on nothing else.
std::string capture_filter(const wire::WireSettings& settings) {
  const auto add = [](std::vector<uint16_t>& to, const std::vector<uint16_t>& ports) {
    to.insert(to.end(), ports.begin(), ports.end());
  };
  std::vector<uint16_t> tcp = settings.sccp.ports;
  std::vector<uint16_t> udp;
  add(tcp, settings.sccp.tls_ports);
  if (settings.sip.enabled) {
    add(tcp, settings.sip.ports);
    add(tcp, settings.sip.tls_ports);
    add(udp, settings.sip.ports);
  }
  if (settings.boot.enabled) {
    add(tcp, settings.boot.http_ports);
    add(udp, settings.boot.dhcp_ports);
    add(udp, settings.boot.tftp_ports);
  }
  if (udp.empty()) return capture::tcp_port_filter(tcp);
  return capture::capture_filter(tcp, udp, settings.boot.enabled);
}

}  // namespace

LiveCapture::LiveCapture(std::string interface, std::string filter, wire::WireSettings settings,
                         std::function<void(regwatch::v1::Event)> sink, const Clock& clock)
    : interface_(std::move(interface)),
      filter_(filter.empty() ? capture_filter(settings) : std::move(filter)),
      boot_enabled_(settings.boot.enabled),
      sip_enabled_(settings.sip.enabled),
      clock_(clock),
      analyzer_(std::move(settings), std::move(sink)) {}

LiveCapture::~LiveCapture() {
  stop();
}

Status LiveCapture::start() {
  if (auto ready = analyzer_.start(); !ready.ok()) return ready;
  auto source = capture::PcapSource::open_live(interface_, filter_);
  if (!source.ok()) return source.error();
  source_ = std::move(source).value();
  component_logger("agent.sccp")
      ->info("capturing SCCP{} on {}{} (filter: {})", sip_enabled_ ? " and SIP" : "", interface_,
             boot_enabled_ ? " with the boot chain" : "", filter_);
  thread_ = std::thread([this] { run(); });
  return Ok{};
}

void LiveCapture::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void LiveCapture::run() {
  const int link_type = source_->link_type();
  RateLimitedLog errors(1, std::chrono::seconds(60));
  while (!stopping_) {
    auto n = source_->read(256, [&](int64_t time_us, std::span<const uint8_t> frame) {
      std::lock_guard lock(mutex_);
      analyzer_.on_packet(link_type, time_us, frame);
    });
    if (!n.ok()) {
      uint64_t suppressed = 0;
      if (errors.allow(suppressed)) {
        component_logger("agent.sccp")
            ->warn("capture on {}: {} ({} more suppressed)", interface_, n.error().message,
                   suppressed);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a failing device: do not spin
      continue;
    }
    if (*n == 0) {
      {
        std::lock_guard lock(mutex_);
        analyzer_.on_idle(clock_.now_us());
      }
      // Nothing buffered: sleep until the wire has something (bounded, so timers and stop()
      // still run on a quiet wire) instead of asking libpcap again at once.
      source_->wait(kIdleWaitMs);
    }
    kernel_drops_ = source_->kernel_drops();
  }
}

sccp::SccpStats LiveCapture::stats() const {
  std::lock_guard lock(mutex_);
  return analyzer_.stats().sccp;
}

boot::BootStats LiveCapture::boot_stats() const {
  std::lock_guard lock(mutex_);
  return analyzer_.stats().boot;
}

sip::SipStats LiveCapture::sip_stats() const {
  std::lock_guard lock(mutex_);
  return analyzer_.stats().sip;
}

uint64_t LiveCapture::kernel_drops() const {
  return kernel_drops_;
}

}  // namespace regwatch::agent
