#pragma once
// --replay-pcap: decodes a capture file through the wire analyzers (SCCP and the boot chain);
// its events
// carry the packet timestamps as event time, so a capture replayed for a
// postmortem gives what live capture gave.
#include <cstdint>
#include <functional>
#include <string>

#include "agent/wire/wire_capture.h"
#include "common/result.h"

namespace regwatch::agent {

// on_progress(bytes_read, file_size) now and then. A file that cannot be
// opened is an error; a capture cut short (a truncated last packet, a disk
// that filled) is decoded up to the cut and the returned text says so ("" when
// the file was whole).
Result<std::string> replay_pcap_file(
    const std::string& path, wire::WireCapture& analyzer,
    const std::function<void(uint64_t, uint64_t)>& on_progress = {});

// "1,234 packets, 56 SCCP messages (KeepAlive 20, ...), 5 phones; anomalies: ...; events: ..."
std::string summarise_sccp(const sccp::SccpStats& stats);
// "boot chain: 12 DHCP messages (ack 3, ...), 40 TFTP packets, 0 HTTP segments, files fetched
// (config_signed 3, ...), failed (not_found 2), 3 phones; events: ...; anomalies: ..."
std::string summarise_boot(const boot::BootStats& stats);
std::string summarise_sip(const sip::SipStats& stats);

}  // namespace regwatch::agent
