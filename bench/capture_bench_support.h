#pragma once
// What the capture benches share: a pcap writer of Ethernet/IPv4 frames, a timed read of a
// capture split into phases by packet time, the process's peak RSS, and the median.
#include <pcap/pcap.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "bench/bench_stats.h"

namespace regwatch::bench {

using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

inline void be16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void be32(Bytes& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

class PcapWriter {
 public:
  explicit PcapWriter(const std::string& path)
      : dead_(pcap_open_dead(DLT_EN10MB, 65535)), out_(pcap_dump_open(dead_, path.c_str())) {
    if (!out_) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      std::exit(1);
    }
  }
  ~PcapWriter() {
    pcap_dump_close(out_);
    pcap_close(dead_);
  }
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void udp(int64_t t_us, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
           std::span<const uint8_t> payload) {
    Bytes b = ip_header(src, dst, 17, 8 + payload.size());
    be16(b, sport);
    be16(b, dport);
    be16(b, static_cast<uint16_t>(8 + payload.size()));
    be16(b, 0);
    b.insert(b.end(), payload.begin(), payload.end());
    write(t_us, b);
  }
  uint64_t packets() const { return packets_; }

 private:
  static Bytes ip_header(uint32_t src, uint32_t dst, uint8_t protocol, size_t transport_bytes) {
    Bytes b(12, 0x02);
    be16(b, 0x0800);
    b.insert(b.end(), {0x45, 0});
    be16(b, static_cast<uint16_t>(20 + transport_bytes));
    b.insert(b.end(), {0, 1, 0x40, 0, 64, protocol, 0, 0});
    be32(b, src);
    be32(b, dst);
    return b;
  }
  void write(int64_t t_us, const Bytes& b) {
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(t_us / 1'000'000);
    h.ts.tv_usec = static_cast<suseconds_t>(t_us % 1'000'000);
    h.caplen = h.len = static_cast<bpf_u_int32>(b.size());
    pcap_dump(reinterpret_cast<u_char*>(out_), &h, b.data());
    ++packets_;
  }
  pcap_t* dead_;
  pcap_dumper_t* out_;
  uint64_t packets_ = 0;
};

inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

inline long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Packets and seconds per phase; a phase begins at its boundary in packet time.
struct Phases {
  std::vector<uint64_t> packets;
  std::vector<double> seconds;
  double pps(size_t phase) const {
    return seconds[phase] > 0 ? static_cast<double>(packets[phase]) / seconds[phase] : 0;
  }
};

// Reads every packet of path, handing each to per_packet(time_us, frame); boundaries_us are
// the packet times the phases after the first begin at, in order.
template <class PerPacket>
Phases timed_read(const std::string& path, const std::vector<int64_t>& boundaries_us,
                  PerPacket&& per_packet) {
  char error[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), error);
  if (!p) {
    std::fprintf(stderr, "cannot read %s: %s\n", path.c_str(), error);
    std::exit(1);
  }
  Phases phases;
  phases.packets.assign(boundaries_us.size() + 1, 0);
  phases.seconds.assign(boundaries_us.size() + 1, 0);
  size_t phase = 0;
  auto phase_start = Clock::now();
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1) {
    const int64_t t = int64_t{h->ts.tv_sec} * 1'000'000 + h->ts.tv_usec;
    while (phase < boundaries_us.size() && t >= boundaries_us[phase]) {
      phases.seconds[phase] = seconds_since(phase_start);
      phase_start = Clock::now();
      ++phase;
    }
    per_packet(t, std::span<const uint8_t>(data, h->caplen));
    ++phases.packets[phase];
  }
  phases.seconds[phase] = seconds_since(phase_start);
  pcap_close(p);
  return phases;
}

}  // namespace regwatch::bench
