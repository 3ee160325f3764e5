#pragma once
// The bodies of CUCM alarms. Pure, bounded, never throw.
//   CiscoLog tags:  %[Key=Value][Key2=Value2]: text   (\[, \], \\ are escapes)
//   old CCM body:   Device name.:SEP000B5F327F9A Device IP address.:x.x.x.x Protocol.:SCCP ...
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace regwatch::agent::syslog {

using Tags = std::vector<std::pair<std::string, std::string>>;

struct TagParse {
  Tags tags;
  std::string_view text;  // what follows the tags (after ": ")
  bool bad_escape = false;
  bool unterminated = false;
};

// `body` starts at "%[" (or anything else: then no tags, text = body).
TagParse parse_ciscolog_tags(std::string_view body);

// Finds the old "Label.:value" fields; keys are returned under the CiscoLog
// tag names (DeviceName, IPAddress, Protocol, DeviceType, Description, Reason,
// MACAddress, AppID, ClusterID, NodeID, ConnectingPort).
Tags parse_labelled_body(std::string_view body);

// First value of key (ASCII case-insensitive), or empty.
std::string_view tag_value(const Tags& tags, std::string_view key);

}  // namespace regwatch::agent::syslog
