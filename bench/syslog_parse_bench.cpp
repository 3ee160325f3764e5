// Syslog parse rate on one thread (target >= 500,000 lines/s), over a mix of the
// real line shapes regwatch sees: CUCM CiscoLog alarms (live and archived with a
// receiver prefix), IOS switch messages, and lines it does not understand.
// Baseline in the same run: splitting the same buffer into lines (memchr), the
// floor any parser pays; the ratio says what parsing costs on top.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

#include "agent/syslog/syslog_parser.h"

namespace {

const std::vector<std::string>& sample_lines() {
  static const std::vector<std::string> lines = {
      "<187>41679: uc-ucm-01.pcce.local: Jul 02 2015 06:22:31.454 UTC: "
      "%UC_CALLMANAGER-3-EndPointUnregistered: "
      "%[DeviceName=SEPE0D1730A8137][IPAddress=10.60.98.210]"
      "[Protocol=SIP][DeviceType=592][Description=Phone][Reason=13][IPAddrAttributes=0]"
      "[LastSignalReceived=SIPStationDPrimaryLineTimeout][AppID=Cisco CallManager]"
      "[ClusterID=StandAloneCluster][NodeID=uc-ucm-01]: An endpoint has unregistered",
      "Nov 20 09:14:20 ucm-sub1 local7 3 : 41003: ucm-sub1.voice.example.net Nov 20 2026 "
      "09:14:20.100 UTC :  %UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName=SEP001794A1B2C3]"
      "[IPAddress=10.20.31.20][Protocol=SCCP][DeviceType=115][Description=Desk 0][Reason=13]"
      "[AppID=Cisco CallManager][ClusterID=PROD][NodeID=ucm-sub1]: An endpoint has unregistered",
      "<187>343: .Sep 21 09:22:01.678: %LINK-3-UPDOWN: Interface GigabitEthernet1/0/12, changed "
      "state to up",
      "<189>344: .Sep 21 09:22:02.684: %LINEPROTO-5-UPDOWN: Line protocol on Interface "
      "GigabitEthernet1/0/12, changed state to up",
      "<190>3132517: Jul 13 08:23:43 192.168.100.2 sw01: 3132779: Jul 14 2023 08:23:43.398 UTC: "
      "%SW_MATM-4-MACFLAP_NOTIF: Host f03a.b216.7ad7 in vlan 10 is flapping between port Gi0/5 and "
      "port Gi0/15",
      "<188>327: Apr 20 12:56:35.697 NZST: %SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: "
      "theitteam] "
      "[Source: 192.168.56.112] [localport: 22] [Reason: Login Authentication Failed] at 12:56:35 "
      "NZST Wed Apr 20 2016",
      "<13>Nov 23 10:00:00 linuxhost cron[123]: (root) CMD (run-parts /etc/cron.hourly)",
      "<165>1 2026-11-20T09:14:20.003Z sw-core evntslog - ID47 - %PM-4-ERR_DISABLE: "
      "psecure-violation "
      "error detected on Gi1/0/13, putting Gi1/0/13 in err-disable state",
  };
  return lines;
}

void BM_ParseSyslogLine(benchmark::State& state) {
  const auto& lines = sample_lines();
  regwatch::agent::syslog::LineContext context;
  context.receive_time_us = 1'763'630'000'000'000;
  context.reference_time_us = context.receive_time_us;
  size_t i = 0;
  for (auto _ : state) {
    auto parsed = regwatch::agent::syslog::parse_syslog_line(lines[i], context);
    benchmark::DoNotOptimize(parsed);
    if (++i == lines.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["lines_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ParseSyslogLine);

// Baseline: finding line ends in the same text, the cost every reader pays.
void BM_SplitLinesBaseline(benchmark::State& state) {
  std::string buffer;
  for (const auto& line : sample_lines()) buffer += line + "\n";
  size_t lines = 0;
  for (auto _ : state) {
    const char* p = buffer.data();
    const char* end = p + buffer.size();
    while (p < end) {
      const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
      p = nl ? static_cast<const char*>(nl) + 1 : end;
      ++lines;
    }
    benchmark::DoNotOptimize(p);
  }
  state.counters["lines_per_s"] =
      benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SplitLinesBaseline);

}  // namespace

BENCHMARK_MAIN();
