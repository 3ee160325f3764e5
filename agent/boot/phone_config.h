#pragma once
// What a phone's config file (SEP<MAC>.cnf.xml, or the XML inside a .cnf.xml.sgn) says about
// where it must register and what it must run: the CM group's members in priority order, the
// device security mode and the firmware load. Read from the bytes the phone downloaded.
//
// A .sgn file is a binary signature header (version, header length, signer, signature, ...)
// followed by the XML: the XML is found after the header (the header's own length field when
// it is consistent, else the first "<?xml" or "<device"). An encrypted config (.enc.sgn) has no
// readable XML: the error "encrypted". Not XML at all, or XML without a <device> element:
// "not_a_phone_config". XMLDefault.cnf.xml's root element <Default> (the autoregistration
// config, with the same <callManagerGroup>) is read as <device> is. A small tolerant scanner,
// not a validating XML parser: it reads elements, attributes, comments, CDATA and the five
// predefined entities; anything it cannot follow ends the scan with what it found so far
// (counted, not thrown).
//
// Bounded: at most kMaxConfigBytes are read, at most 16 CM group members kept, nesting at most
// 64 deep.
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

namespace regwatch::agent::boot {

inline constexpr size_t kMaxConfigBytes = 1024 * 1024;

struct PhoneConfig {
  // <callManagerGroup><members><member priority="N"><callManager>
  //   <processNodeName>cucm-a.example.com or 10.1.1.10</processNodeName>: by priority, then order.
  std::vector<std::string> cm_group;
  std::string security_mode;     // <deviceSecurityMode> text ("1", "2", "3"); "" when absent
  std::string load_name;         // <loadInformation> text: "SCCP41.9-4-2SR3-1S"; "" when absent
  std::string device_protocol;   // <deviceProtocol>: "SCCP", "SIP"; "" when absent
  bool signed_envelope = false;  // the bytes had a .sgn header before the XML
};

Result<PhoneConfig> parse_phone_config(std::span<const uint8_t> file_bytes);

}  // namespace regwatch::agent::boot
