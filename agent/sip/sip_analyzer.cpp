#include "agent/sip/sip_analyzer.h"

namespace regwatch::agent::sip {

// Placeholder: the analyzer is being written.
struct SipAnalyzer::Parts {
  SipSettings settings;
  capture::EventSink sink;
};

SipAnalyzer::SipAnalyzer(SipSettings settings, capture::EventSink sink)
    : parts_(std::make_unique<Parts>(Parts{std::move(settings), std::move(sink)})) {}
SipAnalyzer::~SipAnalyzer() = default;
capture::PortClaims SipAnalyzer::claims() const { return {}; }
void SipAnalyzer::on_tcp(const capture::TcpSegment&, int64_t) {}
void SipAnalyzer::on_udp(const capture::UdpDatagram&, int64_t) {}
void SipAnalyzer::on_time(int64_t) {}
void SipAnalyzer::on_idle(int64_t) {}
SipStats SipAnalyzer::stats() const { return {}; }

}  // namespace regwatch::agent::sip
