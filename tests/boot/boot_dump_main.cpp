// The parser-level cross-check's two halves (tests/boot/test_decode_vs_tshark.py):
//   boot_dump_main --write-sample FILE   writes the sample boot capture (boot_frames.h) as pcap
//   boot_dump_main FILE                  prints BootPacketDump's JSON lines for a capture
// The same dump regwatch-agent --decode-pcap prints, without the agent's start-up.
#include <cstdio>
#include <iostream>
#include <string>

#include "agent/boot/boot_packet_dump.h"
#include "agent/capture/pcap_source.h"
#include "tests/boot/boot_frames.h"

int main(int argc, char** argv) {
  using namespace regwatch::agent;
  if (argc == 3 && std::string(argv[1]) == "--write-sample") {
    if (!regwatch::test::boot::write_pcap(argv[2], regwatch::test::boot::sample_boot_capture())) {
      std::cerr << "cannot write " << argv[2] << "\n";
      return 1;
    }
    return 0;
  }
  if (argc != 2) {
    std::cerr << "usage: boot_dump_main FILE.pcap | --write-sample FILE.pcap\n";
    return 2;
  }
  auto source = capture::PcapSource::open_file(argv[1]);
  if (!source) {
    std::cerr << source.error().message << "\n";
    return 1;
  }
  const int link_type = (*source)->link_type();
  boot::BootPacketDump dump([](const std::string& line) { std::cout << line << '\n'; });
  while (true) {
    auto read = (*source)->read(1000, [&](int64_t time_us, std::span<const uint8_t> frame) {
      dump.on_packet(link_type, time_us, frame);
    });
    if (!read) {
      std::cerr << read.error().message << "\n";
      return 1;
    }
    if (*read < 0) break;
  }
  return 0;
}
