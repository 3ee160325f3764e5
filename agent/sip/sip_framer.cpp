#include "agent/sip/sip_framer.h"

namespace regwatch::agent::sip {

// Placeholder until the framer lands (helper A).
void SipFramer::feed(std::span<const uint8_t>, FunctionRef<void(std::span<const uint8_t>)>,
                     SipFramerCounters&) {}
void SipFramer::lost_sync() { held_.clear(); }
void SipFramer::reset() {
  held_.clear();
  in_sync_ = true;
}

}  // namespace regwatch::agent::sip
