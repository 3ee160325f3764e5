// SIP parse and framing rate on one thread. The load to carry: 100,000 phones refreshing every
// ~2 minutes is ~830 REGISTERs and as many answers a second, and a mass re-registration after a
// CUCM failover tens of thousands in a minute; a core should do orders of magnitude more.
// Messages: a Cisco phone's first REGISTER after a restart (Contact parameters, Reason with its
// cisco-alarm), CUCM's 200 OK, and a 403 with a Warning.
#include <benchmark/benchmark.h>

#include <span>
#include <string>
#include <vector>

#include "agent/sip/sip_framer.h"
#include "agent/sip/sip_message.h"

namespace {

const std::vector<std::string>& sample_messages() {
  static const std::vector<std::string> kMessages = {
      "REGISTER sip:10.1.1.1 SIP/2.0\r\n"
      "Via: SIP/2.0/TCP 10.1.1.5:51302;branch=z9hG4bK4d1e2f\r\n"
      "From: <sip:1001@10.1.1.1>;tag=00112233aa\r\n"
      "To: <sip:1001@10.1.1.1>\r\n"
      "Call-ID: 00112233-44aa0002-1@10.1.1.5\r\n"
      "Max-Forwards: 70\r\n"
      "Date: Mon, 07 Dec 2026 00:00:00 GMT\r\n"
      "CSeq: 101 REGISTER\r\n"
      "User-Agent: Cisco-CP8845/14.2.1\r\n"
      "Contact: <sip:9e1b6c8a-0d4f-4c1c-8a3e-0011223344aa@10.1.1.5:5060;transport=tcp>;"
      "+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-0011223344aa>\";"
      "+u.sip!devicename.ccm.cisco.com=\"SEP0011223344AA\";"
      "+u.sip!model.ccm.cisco.com=\"36213\";video\r\n"
      "Supported: replaces,join,sdp-anat,norefersub,resource-priority,extended-refer\r\n"
      "Reason: SIP;cause=200;text=\"cisco-alarm:25 Name=SEP0011223344AA "
      "Load=sip88xx.14-2-1-0001-14 Last=cm-closed-tcp\"\r\n"
      "Expires: 3600\r\n"
      "Content-Length: 0\r\n\r\n",
      "SIP/2.0 200 OK\r\n"
      "Via: SIP/2.0/TCP 10.1.1.5:51302;branch=z9hG4bK4d1e2f\r\n"
      "From: <sip:1001@10.1.1.1>;tag=00112233aa\r\n"
      "To: <sip:1001@10.1.1.1>;tag=1234567\r\n"
      "Call-ID: 00112233-44aa0002-1@10.1.1.5\r\n"
      "CSeq: 101 REGISTER\r\n"
      "Date: Mon, 07 Dec 2026 00:00:00 GMT\r\n"
      "Contact: <sip:9e1b6c8a-0d4f-4c1c-8a3e-0011223344aa@10.1.1.5:5060;transport=tcp>;"
      "+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-0011223344aa>\";expires=120\r\n"
      "Expires: 120\r\n"
      "Server: Cisco-CUCM14.0\r\n"
      "Content-Length: 0\r\n\r\n",
      "SIP/2.0 403 Forbidden\r\n"
      "Via: SIP/2.0/TCP 10.1.1.6:51302;branch=z9hG4bK4d1e30\r\n"
      "From: <sip:1002@10.1.1.1>;tag=00112233bb\r\n"
      "To: <sip:1002@10.1.1.1>;tag=1234568\r\n"
      "Call-ID: 00112233-44bb0002-1@10.1.1.6\r\n"
      "CSeq: 101 REGISTER\r\n"
      "Warning: 399 cucm \"Line not configured\"\r\n"
      "Content-Length: 0\r\n\r\n",
  };
  return kMessages;
}

void parse_sip_messages(benchmark::State& state) {
  const auto& messages = sample_messages();
  size_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& text : messages) {
      auto message = regwatch::agent::sip::parse_sip_message(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
      benchmark::DoNotOptimize(message);
      bytes += text.size();
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * messages.size()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(parse_sip_messages);

// A TCP stream of the three messages, 1,000 times, in 1,460-byte segments (split anywhere).
void frame_sip_stream(benchmark::State& state) {
  std::string stream;
  for (int i = 0; i < 1000; ++i) {
    for (const std::string& text : sample_messages()) stream += text;
  }
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(stream.data()),
                                       stream.size());
  uint64_t messages = 0;
  for (auto _ : state) {
    regwatch::agent::sip::SipFramer framer;
    regwatch::agent::sip::SipFramerCounters counters;
    for (size_t at = 0; at < bytes.size(); at += 1460) {
      framer.feed(
          bytes.subspan(at, std::min<size_t>(1460, bytes.size() - at)),
          [&](std::span<const uint8_t> message) { benchmark::DoNotOptimize(message.data()); },
          counters);
    }
    messages += counters.messages;
  }
  state.SetItemsProcessed(static_cast<int64_t>(messages));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * stream.size()));
}
BENCHMARK(frame_sip_stream);

}  // namespace

BENCHMARK_MAIN();
