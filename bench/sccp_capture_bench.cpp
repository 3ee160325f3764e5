// SCCP capture decode rate, with its baselines measured in the same run:
//   (a) a bare libpcap read loop over the same file: the limit (target: we reach >= 50 % of it);
//   (b) tshark -Y skinny over slices of it, its start-up subtracted (target: we are >= 100x
//       faster per packet);
//   (c) the SCCP analyzer alone against the agent's whole wire capture (agent/wire: SCCP with
//       the boot chain's DHCP, TFTP and HTTP analyzers in the path), on the same file: the boot
//       chain must not slow the SCCP steady state (target: wire / SCCP alone >= 0.95).
// The capture is generated: N phones (default 100,000) registering to 4 CM
// nodes, then sending a KeepAlive every 30 s with its KeepAliveAck (3,300
// keepalives/s for 100,000 phones), for D simulated seconds (default 120).
// Prints packets/s, the ratios, the analyzer's peak RSS and its event counts.
//
// Usage: sccp_capture_bench [phones] [seconds] [tshark_packets] [runs]
// With REGWATCH_BENCH_PCAP=FILE it measures that capture instead (and leaves it in place), e.g. a
// real one, or the same generated one again under a profiler.
//
// The bare loop and the analyzers run alternately, runs times (default 5): bare, SCCP alone, wire,
// bare, ..., bare. Each analyzer run (a fresh analyzer) is compared with the faster of the two
// bare runs beside it, the wire run also with the SCCP run just before it, and the median of the
// runs' ratios is the result, printed with their range: on this shared host one pair of runs moved
// by 20 % from one minute to the next.
#include <pcap/pcap.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "agent/sccp/sccp_analyzer.h"
#include "agent/wire/wire_capture.h"
#include "common/event_kind.h"

namespace {

using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;

void le32(Bytes& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void be16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void be32(Bytes& b, uint32_t v) {
  for (int i = 3; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

Bytes pdu(uint32_t id, const Bytes& payload = {}) {
  Bytes b;
  le32(b, static_cast<uint32_t>(4 + payload.size()));
  le32(b, 0);
  le32(b, id);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

struct Writer {
  pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
  pcap_dumper_t* out;
  uint64_t packets = 0;
  explicit Writer(const std::string& path) : out(pcap_dump_open(dead, path.c_str())) {
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      std::exit(1);
    }
  }
  ~Writer() {
    pcap_dump_close(out);
    pcap_close(dead);
  }
  void frame(int64_t t_us, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint32_t seq,
             uint8_t flags, const Bytes& payload) {
    Bytes b(12, 0x02);
    be16(b, 0x0800);
    const size_t total = 40 + payload.size();
    b.insert(b.end(), {0x45, 0});
    be16(b, static_cast<uint16_t>(total));
    b.insert(b.end(), {0, 1, 0x40, 0, 64, 6, 0, 0});
    be32(b, src);
    be32(b, dst);
    be16(b, sport);
    be16(b, dport);
    be32(b, seq);
    be32(b, 0);
    b.insert(b.end(), {0x50, flags});
    be16(b, 65535);
    be32(b, 0);
    b.insert(b.end(), payload.begin(), payload.end());
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(t_us / 1'000'000);
    h.ts.tv_usec = static_cast<suseconds_t>(t_us % 1'000'000);
    h.caplen = h.len = static_cast<bpf_u_int32>(b.size());
    pcap_dump(reinterpret_cast<u_char*>(out), &h, b.data());
    ++packets;
  }
};

uint64_t generate(const std::string& path, uint32_t phones, uint32_t seconds) {
  Writer w(path);
  const int64_t start = 1'790'000'000LL * 1'000'000;
  const uint32_t interval_us = 30'000'000;
  Bytes reg_payload(48, 0);
  Bytes ack_payload;
  le32(ack_payload, 30);
  ack_payload.insert(ack_payload.end(), {'M', '/', 'D', '/', 'Y', 'A', 0, 0});
  le32(ack_payload, 60);
  le32(ack_payload, 20);
  const Bytes keepalive = pdu(0x0000), keepalive_ack = pdu(0x0100),
              register_ack = pdu(0x0081, ack_payload);
  std::vector<uint32_t> up(phones, 1000), down(phones, 5000);
  auto phone_ip = [](uint32_t i) { return (10u << 24) | ((20u + i / 65536) << 16) | (i % 65536); };
  auto cm_ip = [](uint32_t i) { return (10u << 24) | (1u << 16) | (1u << 8) | (1 + i % 4); };
  // Events in time order: phone i is offset by i * interval / phones within each interval.
  for (int64_t round = 0; round * interval_us <= int64_t{seconds} * 1'000'000; ++round) {
    for (uint32_t i = 0; i < phones; ++i) {
      const int64_t t = start + round * interval_us + int64_t{i} * interval_us / phones;
      const uint32_t p = phone_ip(i), c = cm_ip(i);
      const auto port = static_cast<uint16_t>(20000 + i % 40000);
      if (round == 0) {
        Bytes reg = reg_payload;
        const std::string name = "SEP" + std::to_string(100000000000ULL + i);
        std::copy(name.begin(), name.end(), reg.begin());
        const Bytes register_pdu = pdu(0x0001, reg);
        w.frame(t, p, c, port, 2000, up[i]++, 0x02, {});
        w.frame(t + 100, c, p, 2000, port, down[i]++, 0x12, {});
        w.frame(t + 200, p, c, port, 2000, up[i], 0x18, register_pdu);
        up[i] += static_cast<uint32_t>(register_pdu.size());
        w.frame(t + 1200, c, p, 2000, port, down[i], 0x18, register_ack);
        down[i] += static_cast<uint32_t>(register_ack.size());
      } else {
        w.frame(t, p, c, port, 2000, up[i], 0x18, keepalive);
        up[i] += 12;
        w.frame(t + 800 + i % 500, c, p, 2000, port, down[i], 0x18, keepalive_ack);
        down[i] += 12;
      }
    }
  }
  return w.packets;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// Time spent on two phases of a capture: the registrations (the first keepalive interval
// after the first packet) and the steady state of keepalives after it.
struct Phases {
  uint64_t packets[2] = {0, 0};
  double seconds[2] = {0, 0};
  double pps(int phase) const {
    return seconds[phase] > 0 ? static_cast<double>(packets[phase]) / seconds[phase] : 0;
  }
};
constexpr int64_t kRegistrationPhaseUs = 30'000'000;

// Reads every packet of path, handing each to per_packet(time_us, span), timing the phases.
template <class PerPacket>
Phases timed_read(const std::string& path, PerPacket&& per_packet) {
  char error[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), error);
  if (!p) {
    std::fprintf(stderr, "cannot read %s: %s\n", path.c_str(), error);
    std::exit(1);
  }
  Phases phases;
  int phase = 0;
  int64_t boundary_us = -1;
  auto phase_start = Clock::now();
  pcap_pkthdr* h;
  const u_char* data;
  while (pcap_next_ex(p, &h, &data) == 1) {
    const int64_t t = int64_t{h->ts.tv_sec} * 1'000'000 + h->ts.tv_usec;
    if (boundary_us < 0) boundary_us = t + kRegistrationPhaseUs;
    if (phase == 0 && t >= boundary_us) {
      phases.seconds[0] = seconds_since(phase_start);
      phase_start = Clock::now();
      phase = 1;
    }
    per_packet(t, std::span<const uint8_t>(data, h->caplen));
    ++phases.packets[phase];
  }
  phases.seconds[phase] = seconds_since(phase_start);
  pcap_close(p);
  return phases;
}

}  // namespace

int main(int argc, char** argv) {
  const uint32_t phones = argc > 1 ? static_cast<uint32_t>(std::atoi(argv[1])) : 100'000;
  const uint32_t seconds = argc > 2 ? static_cast<uint32_t>(std::atoi(argv[2])) : 120;
  const uint32_t tshark_packets = argc > 3 ? static_cast<uint32_t>(std::atoi(argv[3])) : 200'000;
  const int runs = argc > 4 ? std::max(1, std::atoi(argv[4])) : 5;
  const auto dir =
      std::filesystem::temp_directory_path() / ("regwatch-sccp-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const char* given = std::getenv("REGWATCH_BENCH_PCAP");
  const std::string path = given && *given ? std::string(given) : (dir / "fleet.pcap").string();
  if (!given || !*given || !std::filesystem::exists(path)) {
    std::printf("generating %u phones x %u s of keepalives...\n", phones, seconds);
    const uint64_t written = generate(path, phones, seconds);
    std::printf("capture: %llu packets, %.1f MiB\n", static_cast<unsigned long long>(written),
                static_cast<double>(std::filesystem::file_size(path)) / (1 << 20));
  }

  uint64_t checksum = 0;
  auto bare_loop = [&] {
    return timed_read(path, [&](int64_t, std::span<const uint8_t> frame) {
      checksum += frame.size() + frame[0];  // touch the bytes, as any reader would
    });
  };
  // The first bare run may still pull the file into the page cache: the ratios use the faster
  // of the two bare runs around each analyzer run.
  std::vector<Phases> bare_runs{bare_loop()};
  if (checksum == 0) std::printf("(empty capture)\n");
  const long rss_before = peak_rss_kib();
  std::vector<Phases> our_runs, wire_runs;
  std::map<regwatch::v1::EventKind, uint64_t> events;
  regwatch::agent::sccp::SccpStats stats;
  long rss_first_run = 0;
  for (int run = 0; run < runs; ++run) {
    events.clear();
    regwatch::agent::sccp::SccpCapture analyzer(regwatch::agent::sccp::SccpSettings{},
                                                [&](regwatch::v1::Event e) { ++events[e.kind()]; });
    our_runs.push_back(timed_read(path, [&](int64_t time_us, std::span<const uint8_t> frame) {
      analyzer.on_packet(1, time_us, frame);
    }));
    stats = analyzer.stats();
    // The first analyzer's peak: later ones may not get the freed heap back in one piece.
    if (run == 0) rss_first_run = peak_rss_kib();
    regwatch::agent::wire::WireCapture wire(regwatch::agent::wire::WireSettings{},
                                            [&](const regwatch::v1::Event&) {});
    if (!wire.start().ok()) return 1;
    wire_runs.push_back(timed_read(path, [&](int64_t time_us, std::span<const uint8_t> frame) {
      wire.on_packet(1, time_us, frame);
    }));
    bare_runs.push_back(bare_loop());
  }
  struct Summary {
    double ratio = 0, ratio_min = 0, ratio_max = 0, ours_pps = 0, bare_pps = 0;
  };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    if (v.empty()) return 0.0;
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  auto summarize_phase = [&](int phase) {
    std::vector<double> ratios, ours_pps, bare_pps;
    for (int run = 0; run < runs; ++run) {
      const double bare = std::max(bare_runs[run].pps(phase), bare_runs[run + 1].pps(phase));
      ours_pps.push_back(our_runs[run].pps(phase));
      bare_pps.push_back(bare);
      ratios.push_back(bare > 0 ? our_runs[run].pps(phase) / bare : 0);
    }
    return Summary{median(ratios), *std::min_element(ratios.begin(), ratios.end()),
                   *std::max_element(ratios.begin(), ratios.end()), median(ours_pps),
                   median(bare_pps)};
  };
  const Phases& ours = our_runs.front();  // packet counts are the same in every run

  // tshark over two slices of the steady state: the difference is its per-packet rate without
  // its start-up (loading every dissector takes it about half a second).
  auto tshark_seconds = [&](uint64_t first, uint64_t packets) -> double {
    const std::string slice = (dir / ("slice-" + std::to_string(packets) + ".pcap")).string();
    const std::string cut = "editcap -r " + path + " " + slice + " " + std::to_string(first) + "-" +
                            std::to_string(first + packets - 1) + " >/dev/null 2>&1";
    if (std::system(cut.c_str()) != 0) return -1;
    const auto t0 = Clock::now();
    const std::string run =
        "tshark -r " + slice + " -Y skinny -T fields -e skinny.messageId >/dev/null 2>&1";
    if (std::system(run.c_str()) != 0) return -1;
    return seconds_since(t0);
  };
  const uint64_t steady_first = ours.packets[0] + 1;
  const uint64_t big = std::min<uint64_t>(tshark_packets, ours.packets[1]);
  const uint64_t small = std::max<uint64_t>(big / 10, 1);
  const double t_small = big ? tshark_seconds(steady_first, small) : -1;
  const double t_big = big ? tshark_seconds(steady_first, big) : -1;
  const double tshark_pps =
      t_small > 0 && t_big > t_small ? static_cast<double>(big - small) / (t_big - t_small) : 0;

  auto report = [&](const char* name, int phase) {
    const Summary m = summarize_phase(phase);
    std::printf(
        "%-16s %9llu packets  bare libpcap loop %10.0f/s  regwatch %10.0f/s  ratio %.2f "
        "(medians of %d runs, each rate and the ratio on its own; ratios %.2f-%.2f)\n",
        name, static_cast<unsigned long long>(ours.packets[phase]), m.bare_pps, m.ours_pps, m.ratio,
        runs, m.ratio_min, m.ratio_max);
  };
  report("registrations", 0);
  report("steady state", 1);
  {
    std::vector<double> ratios;
    for (int run = 0; run < runs; ++run)
      ratios.push_back(our_runs[run].pps(1) > 0 ? wire_runs[run].pps(1) / our_runs[run].pps(1) : 0);
    std::vector<double> wire_pps;
    for (const auto& w : wire_runs) wire_pps.push_back(w.pps(1));
    std::printf(
        "steady state with the boot chain's analyzers in the path: %10.0f/s, %.2f of SCCP alone "
        "(median of %d runs; %.2f-%.2f; target >= 0.95)\n",
        median(wire_pps), median(ratios), runs, *std::min_element(ratios.begin(), ratios.end()),
        *std::max_element(ratios.begin(), ratios.end()));
  }
  std::printf(
      "(targets: ratio >= 0.50 to the bare loop, in the steady state of 3,300 keepalives/s per "
      "100,000 phones)\n");
  if (tshark_pps > 0) {
    std::printf(
        "tshark -Y skinny : %10.0f packets/s in the steady state (start-up excluded); regwatch is "
        "%.0fx faster (target >= 100x)\n",
        tshark_pps, summarize_phase(1).ours_pps / tshark_pps);
  } else {
    std::printf(
        "tshark -Y skinny : not run (tshark_packets 0, no steady state, or tshark/editcap "
        "missing)\n");
  }
  std::printf(
      "phones %zu, SCCP messages %llu, anomalies %zu kinds; peak RSS %.1f MiB with the first "
      "analyzer (%.1f MiB before it)\n",
      stats.phones, static_cast<unsigned long long>(stats.sccp_messages), stats.anomalies.size(),
      rss_first_run / 1024.0, rss_before / 1024.0);
  for (const auto& [kind, n] : events)
    std::printf("  %s %llu\n", regwatch::kind_name(kind).c_str(),
                static_cast<unsigned long long>(n));
  for (const auto& [name, n] : stats.anomalies)
    std::printf("  anomaly %s %llu\n", name.c_str(), static_cast<unsigned long long>(n));
  std::filesystem::remove_all(dir);
  return 0;
}
