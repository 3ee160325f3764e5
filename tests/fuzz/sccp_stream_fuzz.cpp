// Hostile captures: the input is a sequence of frames, each [link type byte]
// [length u16 LE][bytes], fed to the SCCP analyzer (link decode, TCP
// reassembly, framing, decode, phone state) with a clock that moves by the
// first byte of each frame. The same bytes also go straight through the PDU
// framer and decoder. Nothing may crash, and every event must serialise.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "agent/capture/packet_decoder.h"
#include "agent/sccp/pdu_framer.h"
#include "agent/sccp/sccp_analyzer.h"
#include "agent/sccp/sccp_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace regwatch::agent::sccp;
  using namespace regwatch::agent::capture;
  SccpSettings settings;
  settings.max_connections = 64;
  settings.max_held_bytes_per_direction = 4096;
  SccpCapture analyzer(settings, [](regwatch::v1::Event e) {
    std::string bytes;
    if (!e.SerializeToString(&bytes)) std::abort();
  });
  static constexpr int kLinks[] = {kLinkEthernet, kLinkLinuxSll, kLinkLinuxSll2, kLinkNull,
                                   kLinkRaw};
  int64_t now = 1'000'000'000'000'000;
  size_t i = 0;
  while (i + 3 <= size) {
    const int link = kLinks[data[i] % 5];
    const size_t length = static_cast<size_t>(data[i + 1]) | static_cast<size_t>(data[i + 2]) << 8;
    i += 3;
    const size_t n = std::min(length, size - i);
    now += int64_t{data[i - 3]} * 250'000;
    analyzer.on_packet(link, now, std::span<const uint8_t>(data + i, n));
    i += n;
  }
  analyzer.on_idle(now + 3'600'000'000);
  (void)analyzer.stats();
  PduFramer framer;
  FramerCounters counters;
  framer.feed(
      std::span<const uint8_t>(data, size),
      [](std::span<const uint8_t> pdu) { (void)decode_sccp(pdu); }, counters);
  if (size > 7) framer.lost_sync();
  framer.feed(
      std::span<const uint8_t>(data, size / 2),
      [](std::span<const uint8_t> pdu) { (void)decode_sccp(pdu); }, counters);
  return 0;
}
