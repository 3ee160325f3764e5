// A mass reboot through the boot chain's analyzers: N phones (default 10,000) all reboot within
// D seconds of packet time (default 120), each walking DHCP (DISCOVER, OFFER, REQUEST, ACK with
// option 150), TFTP (CTLSEP not found; ITLSEP and SEP<MAC>.cnf.xml.sgn with an OACK, DATA and
// ACKs) and an SCCP Register / RegisterAck. Every tenth phone loops on its config (fetches it
// three times, never registers), so the tracker's rules fire too.
//
// Baselines measured in the same run, on the same frames held in memory:
//   (a) a bare loop that touches every frame's bytes (the limit);
//   (b) the SCCP analyzer alone (what the agent ran before the boot chain: it skips the UDP).
// Prints packets/s and phones/s of the whole wire capture, its ratios to (a) and (b), the peak
// RSS it added, the tracker's own estimate, and the events by kind. Runs alternate (bare, SCCP,
// wire) runs times (default 5) and the medians are reported.
//
// Usage: boot_chain_bench [phones] [seconds] [runs]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "agent/sccp/sccp_analyzer.h"
#include "agent/wire/wire_capture.h"
#include "bench/bench_stats.h"
#include "common/event_kind.h"
#include "tests/sccp/sccp_wire.h"
#include "tests/wire/boot_wire.h"

namespace {

using regwatch::agent::boot::testing::Bytes;
namespace bw = regwatch::agent::boot::testing;
namespace sw = regwatch::agent::sccp::testing;
using Clock = std::chrono::steady_clock;

struct Frame {
  int64_t t;
  Bytes bytes;
};

std::array<uint8_t, 4> phone_ip(uint32_t i) {
  return {10, static_cast<uint8_t>(100 + i / 65536), static_cast<uint8_t>(i / 256 % 256),
          static_cast<uint8_t>(i % 256)};
}

// An Ethernet/IPv4/TCP frame between any two IPv4 addresses (sccp_wire.h's frame() names only
// 10.0.0.x): the SCCP builder's frame with its addresses rewritten.
Bytes tcp_frame(std::array<uint8_t, 4> src, uint16_t sport, std::array<uint8_t, 4> dst,
                uint16_t dport, uint32_t seq, const Bytes& payload, uint8_t flags = 0x18) {
  Bytes b = sw::frame({1, sport}, {2, dport}, seq, payload, flags);
  std::copy(src.begin(), src.end(), b.begin() + 26);
  std::copy(dst.begin(), dst.end(), b.begin() + 30);
  return b;
}

std::vector<Frame> generate(uint32_t phones, uint32_t seconds) {
  std::vector<Frame> frames;
  frames.reserve(size_t{phones} * 40);
  const int64_t start = 1'790'000'000LL * 1'000'000;
  const std::array<uint8_t, 4> server{10, 1, 1, 5}, cm{10, 1, 1, 10}, zero{},
      all{255, 255, 255, 255};
  const std::string config = bw::cnf_xml({"10.1.1.10", "10.1.1.11"}, "SCCP45.9-4-2SR4-3S");
  const std::string itl(656, 'i');
  for (uint32_t i = 0; i < phones; ++i) {
    int64_t t = start + int64_t{i} * seconds * 1'000'000 / phones;
    const std::array<uint8_t, 6> mac{0x00,
                                     0xaa,
                                     static_cast<uint8_t>(i >> 24),
                                     static_cast<uint8_t>(i >> 16),
                                     static_cast<uint8_t>(i >> 8),
                                     static_cast<uint8_t>(i)};
    const auto ip = phone_ip(i);
    char name[16];
    std::snprintf(name, sizeof name, "SEP00AA%08X", i);
    const std::string device(name);
    const auto step = [&](Bytes b) { frames.push_back({t += 700, std::move(b)}); };
    const uint32_t xid = 0x1000 + i;
    const std::string vendor = "Cisco Systems, Inc. IP Phone CP-7965G";
    step(bw::udp_frame({zero, 68}, {all, 67}, bw::dhcp(1, xid, mac, zero, {1, {}, vendor})));
    step(bw::udp_frame({server, 67}, {all, 68},
                       bw::dhcp(2, xid, mac, ip, {2, {server}, "", server, 86400})));
    step(bw::udp_frame({zero, 68}, {all, 67}, bw::dhcp(1, xid, mac, zero, {3, {}, vendor})));
    step(bw::udp_frame({server, 67}, {all, 68},
                       bw::dhcp(2, xid, mac, ip, {5, {server}, "", server, 86400})));
    uint16_t port = static_cast<uint16_t>(20000 + i % 40000);
    const auto download = [&](const std::string& file, const std::string& content) {
      ++port;
      step(bw::udp_frame({ip, port}, {server, 69}, bw::tftp_rrq(file)));
      const Bytes bytes = bw::text_bytes(content);
      uint16_t block = 1;
      for (size_t at = 0;; at += 512, ++block) {
        const size_t n = std::min<size_t>(512, bytes.size() - at);
        step(
            bw::udp_frame({server, 40000}, {ip, port},
                          bw::tftp_data(block, Bytes(bytes.begin() + at, bytes.begin() + at + n))));
        step(bw::udp_frame({ip, port}, {server, 40000}, bw::tftp_ack(block)));
        if (n < 512) break;
      }
    };
    ++port;
    step(bw::udp_frame({ip, port}, {server, 69}, bw::tftp_rrq("CTL" + device + ".tlv")));
    step(bw::udp_frame({server, 40001}, {ip, port}, bw::tftp_error(1, "File not found")));
    download("ITL" + device + ".tlv", itl);
    download(device + ".cnf.xml.sgn", config);
    if (i % 10 == 0) {  // a config loop: twice more, and no registration
      download(device + ".cnf.xml.sgn", config);
      download(device + ".cnf.xml.sgn", config);
      continue;
    }
    const auto sccp_port = static_cast<uint16_t>(30000 + i % 30000);
    step(tcp_frame(ip, sccp_port, cm, 2000, 1, sw::register_pdu(device)));
    step(tcp_frame(cm, 2000, ip, sccp_port, 1, sw::register_ack_pdu()));
  }
  std::stable_sort(frames.begin(), frames.end(),
                   [](const Frame& a, const Frame& b) { return a.t < b.t; });
  return frames;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

template <class Each>
double timed(const std::vector<Frame>& frames, Each&& each) {
  const auto t0 = Clock::now();
  for (const Frame& f : frames) each(f);
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

using regwatch::bench::median;

}  // namespace

int main(int argc, char** argv) {
  const uint32_t phones = argc > 1 ? static_cast<uint32_t>(std::atoi(argv[1])) : 10'000;
  const uint32_t seconds = argc > 2 ? static_cast<uint32_t>(std::atoi(argv[2])) : 120;
  const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  std::printf("generating a mass reboot: %u phones within %u s...\n", phones, seconds);
  const std::vector<Frame> frames = generate(phones, seconds);
  std::printf("%zu frames\n", frames.size());
  const long rss_frames = peak_rss_kib();

  uint64_t checksum = 0;
  std::vector<double> bare_s, sccp_s, wire_s;
  std::map<regwatch::v1::EventKind, uint64_t> events;
  regwatch::agent::wire::WireStats stats;
  long rss_wire = 0;
  for (int run = 0; run < runs; ++run) {
    bare_s.push_back(
        timed(frames, [&](const Frame& f) { checksum += f.bytes.size() + f.bytes[0]; }));
    {
      regwatch::agent::sccp::SccpCapture sccp(regwatch::agent::sccp::SccpSettings{},
                                              [](const regwatch::v1::Event&) {});
      sccp_s.push_back(timed(frames, [&](const Frame& f) { sccp.on_packet(1, f.t, f.bytes); }));
    }
    events.clear();
    regwatch::agent::wire::WireCapture wire(
        regwatch::agent::wire::WireSettings{},
        [&](const regwatch::v1::Event& e) { ++events[e.kind()]; });
    if (!wire.start().ok()) return 1;
    wire_s.push_back(timed(frames, [&](const Frame& f) { wire.on_packet(1, f.t, f.bytes); }));
    stats = wire.stats();
    if (run == 0) rss_wire = peak_rss_kib();
  }
  if (checksum == 0) std::printf("(empty)\n");
  const double n = static_cast<double>(frames.size());
  std::vector<double> to_bare, to_sccp;
  for (int run = 0; run < runs; ++run) {
    to_bare.push_back(bare_s[run] / wire_s[run]);
    to_sccp.push_back(sccp_s[run] / wire_s[run]);
  }
  std::printf(
      "wire capture (SCCP + boot chain): %10.0f packets/s, %8.0f phone boots/s; bare loop %10.0f/s "
      "(ratio %.3f), SCCP alone %10.0f/s (ratio %.2f); medians of %d runs\n",
      n / median(wire_s), phones / median(wire_s), n / median(bare_s), median(to_bare),
      n / median(sccp_s), median(to_sccp), runs);
  std::printf(
      "a mass reboot of %u phones in %u s is %.0f packets/s on the wire: the analyzers have %.0fx "
      "headroom\n",
      phones, seconds, n / seconds, (n / median(wire_s)) / (n / seconds));
  std::printf(
      "peak RSS %.1f MiB with the first wire capture (%.1f MiB with the frames alone: %.1f MiB "
      "added, %.0f bytes per phone); the tracker's own estimate %.1f MiB\n",
      rss_wire / 1024.0, rss_frames / 1024.0, (rss_wire - rss_frames) / 1024.0,
      (rss_wire - rss_frames) * 1024.0 / phones,
      static_cast<double>(stats.boot.tracked_bytes) / (1 << 20));
  std::printf("phones followed %llu; DHCP %llu, TFTP %llu packets\n",
              static_cast<unsigned long long>(stats.boot.clients),
              static_cast<unsigned long long>(stats.boot.dhcp_messages),
              static_cast<unsigned long long>(stats.boot.tftp_packets));
  for (const auto& [kind, count] : events) {
    std::printf("  %s %llu\n", regwatch::kind_name(kind).c_str(),
                static_cast<unsigned long long>(count));
  }
  for (const auto& [name, count] : stats.boot.anomalies)
    std::printf("  anomaly %s %llu\n", name.c_str(), static_cast<unsigned long long>(count));
  return 0;
}
