// SIP registration decode rate through the agent's wire capture (agent/wire, with the SIP
// analyzer in it), against a bare libpcap read loop over the same file in the same run (the
// limit; target: SIP's steady state at >= 50 % of it, as SCCP's), and the memory per phone.
//
// The capture is generated: N phones (default 100,000) over UDP 5060 to 4 CM nodes, as CUCM's
// SIP phones behave (../shared/domain/FACTS.md sections 4 and 9):
//   registrations   each phone REGISTERs, is challenged (401), REGISTERs with credentials and
//                   is granted Expires 120, spread over 115 s;
//   steady state    every phone refreshes every 115 s (REGISTER, 200): R rounds (default 2),
//                   870 REGISTERs/s for 100,000 phones;
//   re-registration the CMs restart and every phone registers again within 20 s, each first
//                   REGISTER with Cisco's Reason header (Last=cm-closed-tcp) and challenged.
// Prints packets/s per phase for both, their ratio (median of the runs, with its range), the
// peak RSS the analyzer added and per phone, and the events and anomalies.
//
// Usage: sip_capture_bench [phones] [refresh_rounds] [runs]
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "agent/wire/wire_capture.h"
#include "bench/capture_bench_support.h"
#include "common/event_kind.h"

namespace {

using regwatch::bench::Bytes;
using regwatch::bench::PcapWriter;
using regwatch::bench::Phases;

constexpr int64_t kStartUs = 1'790'000'000LL * 1'000'000;
constexpr int64_t kRefreshUs = 115'000'000;  // CUCM grants 120 s; phones refresh 5 s early
constexpr int64_t kRestartSpreadUs = 20'000'000;
constexpr int64_t kMsUs = 1000;

struct Phone {
  uint32_t ip;
  uint32_t cm;
  std::string mac;  // 12 hex digits, lower case
};

std::string ip_text(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A REGISTER as a Cisco 8845 sends it (about 800 bytes).
Bytes register_message(const Phone& p, const std::string& call_id, uint32_t cseq, bool auth,
                       bool restarted) {
  const std::string ip = ip_text(p.ip), cm = ip_text(p.cm), device = "SEP" + upper(p.mac);
  std::string m = "REGISTER sip:" + cm + " SIP/2.0\r\nVia: SIP/2.0/UDP " + ip +
                  ":5060;branch=z9hG4bK" + call_id + std::to_string(cseq) +
                  "\r\nFrom: <sip:" + p.mac.substr(6) + "@" + cm + ">;tag=" + p.mac +
                  "\r\nTo: <sip:" + p.mac.substr(6) + "@" + cm + ">\r\nCall-ID: " + call_id +
                  "\r\nMax-Forwards: 70\r\nDate: Mon, 07 Dec 2026 00:00:00 GMT\r\nCSeq: " +
                  std::to_string(cseq) +
                  " REGISTER\r\nUser-Agent: Cisco-CP8845/14.2.1\r\nContact: <sip:" + p.mac + "@" +
                  ip + ":5060;transport=udp>;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-" +
                  p.mac + ">\";+u.sip!devicename.ccm.cisco.com=\"" + device +
                  "\";+u.sip!model.ccm.cisco.com=\"36213\";video;audio\r\n"
                  "Supported: replaces,join,sdp-anat,norefersub,resource-priority,extended-refer,"
                  "X-cisco-callinfo,X-cisco-serviceuri,X-cisco-escapecodes,X-cisco-service-control,"
                  "X-cisco-srtp-fallback,X-cisco-monrec,X-cisco-config,X-cisco-sis-7.0.0,"
                  "X-cisco-xsi-8.5.1\r\n";
  if (auth) {
    m += "Authorization: Digest username=\"" + device + "\",realm=\"ccmsipline\",uri=\"sip:" + cm +
         "\",response=\"9f1c2a55b1a0f08e86a2b7e2d5c0c3a1\",nonce=\"x\",algorithm=MD5\r\n";
  }
  if (restarted) {
    m += "Reason: SIP;cause=200;text=\"cisco-alarm:25 Name=" + device +
         " Load=sip88xx.14-2-1-0001-14 Last=cm-closed-tcp\"\r\n";
  }
  m += "Expires: 3600\r\nContent-Length: 0\r\n\r\n";
  return {m.begin(), m.end()};
}

Bytes answer(int status, const char* phrase, const Phone& p, const std::string& call_id,
             uint32_t cseq) {
  const std::string ip = ip_text(p.ip), cm = ip_text(p.cm);
  std::string m = "SIP/2.0 " + std::to_string(status) + " " + phrase + "\r\nVia: SIP/2.0/UDP " +
                  ip + ":5060;branch=z9hG4bK" + call_id + std::to_string(cseq) +
                  "\r\nFrom: <sip:" + p.mac.substr(6) + "@" + cm + ">;tag=" + p.mac +
                  "\r\nTo: <sip:" + p.mac.substr(6) + "@" + cm + ">;tag=" + std::to_string(cseq) +
                  "\r\nCall-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) +
                  " REGISTER\r\nDate: Mon, 07 Dec 2026 00:00:00 GMT\r\n";
  if (status == 401) {
    m += "WWW-Authenticate: Digest realm=\"ccmsipline\",nonce=\"x\",algorithm=MD5\r\n";
  } else {
    m += "Contact: <sip:" + p.mac + "@" + ip +
         ":5060;transport=udp>;expires=120\r\nExpires: 120\r\n";
  }
  m += "Content-Length: 0\r\n\r\n";
  return {m.begin(), m.end()};
}

// Writes the capture; returns the packet times the steady state and the re-registration begin.
std::vector<int64_t> generate(const std::string& path, uint32_t phones, uint32_t rounds,
                              uint64_t& packets) {
  PcapWriter w(path);
  std::vector<Phone> fleet(phones);
  std::vector<uint32_t> cseq(phones, 1);
  for (uint32_t i = 0; i < phones; ++i) {
    char mac[13];
    std::snprintf(mac, sizeof mac, "00aa%08x", i);
    fleet[i] = {(10u << 24) | ((20u + i / 65536) << 16) | (i % 65536),
                (10u << 24) | (1u << 16) | (1u << 8) | (1 + i % 4), mac};
  }
  auto exchange = [&](uint32_t i, int64_t t, const std::string& call_id, bool challenge,
                      bool restarted) {
    const Phone& p = fleet[i];
    if (challenge) {
      w.udp(t, p.ip, p.cm, 5060, 5060, register_message(p, call_id, cseq[i], false, restarted));
      w.udp(t + 2 * kMsUs, p.cm, p.ip, 5060, 5060,
            answer(401, "Unauthorized", p, call_id, cseq[i]));
      ++cseq[i];
      t += 5 * kMsUs;
    }
    w.udp(t, p.ip, p.cm, 5060, 5060, register_message(p, call_id, cseq[i], true, false));
    w.udp(t + 2 * kMsUs + i % 5 * kMsUs, p.cm, p.ip, 5060, 5060,
          answer(200, "OK", p, call_id, cseq[i]));
    ++cseq[i];
  };
  // Written phone by phone: one phone's exchange spans up to 12 ms while phones start 1.15 ms
  // apart at 100,000, so neighbours' packets are out of time order by a few milliseconds, as
  // on a wire captured at several ports (packet time never goes back in the analyzer).
  for (uint32_t i = 0; i < phones; ++i) {
    exchange(i, kStartUs + int64_t{i} * kRefreshUs / phones, "r" + std::to_string(i), true, false);
  }
  for (uint32_t round = 1; round <= rounds; ++round) {
    for (uint32_t i = 0; i < phones; ++i) {
      exchange(i, kStartUs + round * kRefreshUs + int64_t{i} * kRefreshUs / phones,
               "r" + std::to_string(i), false, false);
    }
  }
  const int64_t restart_us = kStartUs + (int64_t{rounds} + 1) * kRefreshUs;
  for (uint32_t i = 0; i < phones; ++i) {
    cseq[i] = 1;
    exchange(i, restart_us + int64_t{i} * kRestartSpreadUs / phones, "s" + std::to_string(i), true,
             true);
  }
  packets = w.packets();
  return {kStartUs + kRefreshUs, restart_us};
}

}  // namespace

int main(int argc, char** argv) {
  using regwatch::bench::median;
  const uint32_t phones = argc > 1 ? static_cast<uint32_t>(std::atoi(argv[1])) : 100'000;
  const uint32_t rounds = argc > 2 ? static_cast<uint32_t>(std::atoi(argv[2])) : 2;
  const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  const auto dir =
      std::filesystem::temp_directory_path() / ("regwatch-sip-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "fleet.pcap").string();
  std::printf("generating %u SIP phones, %u refresh rounds and a CM restart...\n", phones, rounds);
  uint64_t written = 0;
  const std::vector<int64_t> boundaries = generate(path, phones, rounds, written);
  std::printf("capture: %llu packets, %.1f MiB\n", static_cast<unsigned long long>(written),
              static_cast<double>(std::filesystem::file_size(path)) / (1 << 20));

  uint64_t checksum = 0;
  auto bare_loop = [&] {
    return regwatch::bench::timed_read(
        path, boundaries,
        [&](int64_t, std::span<const uint8_t> frame) { checksum += frame.size() + frame[0]; });
  };
  std::vector<Phases> bare_runs{bare_loop()};
  const long rss_before = regwatch::bench::peak_rss_kib();
  long rss_first_run = 0;
  std::vector<Phases> wire_runs;
  std::map<regwatch::v1::EventKind, uint64_t> events;
  regwatch::agent::sip::SipStats stats;
  for (int run = 0; run < runs; ++run) {
    events.clear();
    regwatch::agent::wire::WireCapture wire(
        regwatch::agent::wire::WireSettings{},
        [&](const regwatch::v1::Event& e) { ++events[e.kind()]; });
    if (!wire.start().ok()) return 1;
    wire_runs.push_back(regwatch::bench::timed_read(
        path, boundaries, [&](int64_t time_us, std::span<const uint8_t> frame) {
          wire.on_packet(1, time_us, frame);
        }));
    stats = wire.stats().sip;
    // The first analyzer's peak: later ones may not get the freed heap back in one piece.
    if (run == 0) rss_first_run = regwatch::bench::peak_rss_kib();
    bare_runs.push_back(bare_loop());
  }
  const char* names[] = {"registrations", "steady state", "re-registration"};
  for (size_t phase = 0; phase < 3; ++phase) {
    std::vector<double> ratios, ours, bare;
    for (int run = 0; run < runs; ++run) {
      const double b = std::max(bare_runs[run].pps(phase), bare_runs[run + 1].pps(phase));
      ours.push_back(wire_runs[run].pps(phase));
      bare.push_back(b);
      ratios.push_back(b > 0 ? wire_runs[run].pps(phase) / b : 0);
    }
    std::printf(
        "%-16s %9llu packets  bare libpcap loop %10.0f/s  regwatch %10.0f/s  ratio %.2f "
        "(medians of %d runs; ratios %.2f-%.2f)\n",
        names[phase], static_cast<unsigned long long>(wire_runs[0].packets[phase]), median(bare),
        median(ours), median(ratios), runs, *std::min_element(ratios.begin(), ratios.end()),
        *std::max_element(ratios.begin(), ratios.end()));
  }
  std::printf("(target: steady-state ratio >= 0.50 to the bare loop, as SCCP's)\n");
  const double added_mib = (rss_first_run - rss_before) / 1024.0;
  std::printf(
      "phones %zu (%zu lines), SIP messages %llu; peak RSS %.1f MiB with the first analyzer, "
      "%.1f MiB before it: %.0f bytes per phone\n",
      stats.phones, stats.registrations, static_cast<unsigned long long>(stats.messages),
      rss_first_run / 1024.0, rss_before / 1024.0, phones ? added_mib * 1024 * 1024 / phones : 0.0);
  for (const auto& [kind, n] : events) {
    std::printf("  %s %llu\n", regwatch::kind_name(kind).c_str(),
                static_cast<unsigned long long>(n));
  }
  for (const auto& [name, n] : stats.anomalies) {
    std::printf("  anomaly %s %llu\n", name.c_str(), static_cast<unsigned long long>(n));
  }
  if (checksum == 0) std::printf("(empty capture)\n");
  std::filesystem::remove_all(dir);
  return 0;
}
