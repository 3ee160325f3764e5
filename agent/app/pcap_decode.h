#pragma once
// --decode-pcap FILE: the boot chain's packets and the SIP messages of a capture as the agent
// decodes them, one JSON line per DHCP and TFTP packet (agent/boot/boot_packet_dump.h) and per
// SIP message on port 5060, UDP or TCP (agent/sip/sip_packet_dump.h: "proto":"sip"; TCP streams
// put in order and cut into messages, several per segment or one across segments), numbered as
// tshark numbers frames, so the agent's reading can be checked against Wireshark's on the same
// file. No collector, no spool: a look at the wire.
#include <string>

namespace regwatch::agent {

// Exit code: 0 decoded (to the end, or up to a cut that stderr names); 2 the file cannot be read.
int decode_pcap_to_stdout(const std::string& path);

}  // namespace regwatch::agent
