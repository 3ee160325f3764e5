#pragma once
// --replay-pcap: decodes a capture file through the SCCP analyzer; its events
// carry the packet timestamps as event time, so a capture replayed for a
// postmortem gives what live capture gave.
#include <cstdint>
#include <functional>
#include <string>

#include "agent/sccp/sccp_analyzer.h"
#include "common/result.h"

namespace regwatch::agent {

// on_progress(bytes_read, file_size) now and then. A file that cannot be
// opened is an error; a capture cut short (a truncated last packet, a disk
// that filled) is decoded up to the cut and the returned text says so ("" when
// the file was whole).
Result<std::string> replay_pcap_file(
    const std::string& path, sccp::SccpCapture& analyzer,
    const std::function<void(uint64_t, uint64_t)>& on_progress = {});

// "1,234 packets, 56 SCCP messages (KeepAlive 20, ...), 5 phones; anomalies: ...; events: ..."
std::string summarise_sccp(const sccp::SccpStats& stats);

}  // namespace regwatch::agent
