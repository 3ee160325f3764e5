#include "agent/app/pcap_decode.h"

#include <cstdio>
#include <iostream>

#include "agent/boot/boot_packet_dump.h"
#include "agent/capture/pcap_source.h"
#include "agent/sip/sip_packet_dump.h"

namespace regwatch::agent {

int decode_pcap_to_stdout(const std::string& path) {
  auto source = capture::PcapSource::open_file(path);
  if (!source.ok()) {
    std::cerr << "regwatch-agent: " << source.error().message << "\n";
    return 2;
  }
  const int link_type = (*source)->link_type();
  const auto print = [](const std::string& line) { std::cout << line << '\n'; };
  boot::BootPacketDump dump(print);
  sip::SipPacketDump sip_dump(print);
  while (true) {
    auto n = (*source)->read(1024, [&](int64_t time_us, std::span<const uint8_t> frame) {
      dump.on_packet(link_type, time_us, frame);
      sip_dump.on_packet(link_type, time_us, frame);
    });
    if (!n.ok()) {
      std::cerr << "regwatch-agent: warning: " << path << ": " << n.error().message
                << "; decoded up to there\n";
      break;
    }
    if (*n < 0) break;
  }
  std::cout.flush();
  return 0;
}

}  // namespace regwatch::agent
