// The SCCP analyzer's golden test, as Zeek's btest baselines: a capture in, the events (one
// JSON object a line, protobuf's JSON printer: fields in field-number order) and the stats
// out, compared with a committed baseline. A difference fails the test and prints the first
// line that differs; REGWATCH_UPDATE_GOLDEN=1 (or --update) rewrites the baseline instead.
//
//   sccp_golden CAPTURE [--max-connections N] [--golden FILE [--update]]
// Without --golden the output goes to stdout (to compare two builds by hand).
#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "agent/capture/pcap_source.h"
#include "agent/sccp/sccp_analyzer.h"

namespace {

using regwatch::agent::capture::PcapSource;
using regwatch::agent::sccp::SccpCapture;
using regwatch::agent::sccp::SccpSettings;

// Events as they come, then the stats, every counter on its own line.
bool run(const std::string& capture_path, const SccpSettings& settings, std::ostream& out) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  SccpCapture capture(settings, [&](regwatch::v1::Event event) {
    std::string line;
    if (!google::protobuf::util::MessageToJsonString(event, &line, options).ok()) line = "?";
    out << line << "\n";
  });
  auto source = PcapSource::open_file(capture_path);
  if (!source.ok()) {
    std::cerr << "sccp_golden: " << source.error().message << "\n";
    return false;
  }
  const int link_type = (*source)->link_type();
  for (;;) {
    auto read = (*source)->read(1000, [&](int64_t time_us, std::span<const uint8_t> frame) {
      capture.on_packet(link_type, time_us, frame);
    });
    if (!read.ok() || *read < 0) break;  // a cut file ends the events where it is cut
  }
  const auto s = capture.stats();
  out << "packets " << s.packets << " bytes " << s.bytes << " tcp_segments " << s.tcp_segments
      << " sccp_messages " << s.sccp_messages << " opened " << s.connections_opened << " rejected "
      << s.connections_rejected << " expired " << s.connections_expired << " phones " << s.phones
      << " open " << s.open_connections << "\n";
  for (const auto& [name, n] : s.messages_by_type) out << "msg " << name << " " << n << "\n";
  for (const auto& [name, n] : s.anomalies) out << "anomaly " << name << " " << n << "\n";
  for (const auto& [name, n] : s.events_by_kind) out << "event " << name << " " << n << "\n";
  return true;
}

int compare(const std::string& got, const std::string& golden_path) {
  std::ifstream in(golden_path);
  if (!in) {
    std::cerr << "sccp_golden: no baseline " << golden_path
              << " (REGWATCH_UPDATE_GOLDEN=1 writes it)\n";
    return 1;
  }
  std::stringstream want_text;
  want_text << in.rdbuf();
  std::istringstream want(want_text.str()), have(got);
  std::string want_line, have_line;
  for (int line = 1;; ++line) {
    const bool more_want = static_cast<bool>(std::getline(want, want_line));
    const bool more_have = static_cast<bool>(std::getline(have, have_line));
    if (!more_want && !more_have) return 0;
    if (more_want != more_have || want_line != have_line) {
      std::cerr << golden_path << ":" << line
                << ": differs\n  want: " << (more_want ? want_line : "(end)")
                << "\n  have: " << (more_have ? have_line : "(end)")
                << "\n(REGWATCH_UPDATE_GOLDEN=1 rewrites the baseline once the change is meant)\n";
      return 1;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: sccp_golden CAPTURE [--max-connections N] [--golden FILE [--update]]\n";
    return 2;
  }
  SccpSettings settings;
  std::string golden;
  const char* env = std::getenv("REGWATCH_UPDATE_GOLDEN");
  bool update = env && std::string(env) == "1";
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--max-connections" && i + 1 < argc) {
      settings.max_connections = std::strtoul(argv[++i], nullptr, 10);
    } else if (arg == "--golden" && i + 1 < argc) {
      golden = argv[++i];
    } else if (arg == "--update") {
      update = true;
    } else {
      std::cerr << "sccp_golden: unknown argument " << arg << "\n";
      return 2;
    }
  }
  std::ostringstream out;
  if (!run(argv[1], settings, out)) return 1;
  if (golden.empty()) {
    std::cout << out.str();
    return 0;
  }
  if (update) {
    std::ofstream(golden) << out.str();
    std::cerr << "sccp_golden: wrote " << golden << "\n";
    return 0;
  }
  return compare(out.str(), golden);
}
