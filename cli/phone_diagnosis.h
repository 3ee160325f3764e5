#pragma once
// `regwatch explain DEVICE`: why one phone is (or was, at a given time) not
// registered, from what the collector stored about it: its state and since
// when, the reason code in words and its class, the CM it was on, the switch
// port it hangs off, the incident its drop was part of, and what an
// experienced voice engineer would check next. Pure: the caller fetches the
// events and incidents; diagnose() only reads them.
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "regwatch/v1/query.pb.h"

namespace regwatch::cli {

struct PhoneDiagnosis {
  std::string device;
  int64_t at_us = 0;
  // registered, unregistered, rejected, or unknown (nothing stored about it).
  std::string state = "unknown";
  int64_t since_us = 0;      // the event that put it in that state
  int64_t last_drop_us = 0;  // its latest drop or rejection, even when registered again
  std::optional<int32_t> reason_code;
  std::string reason_name;     // KeepAliveTimeout; without a code, the phone's alarm (FileAuthFail)
  std::string reason_meaning;  // Cisco's description
  std::string reason_class;    // network, planned, security, config, storm, other
  std::string reason_text;               // free text that came with it (cnf.xml.sgn ... fail)
  std::vector<std::string> reported_by;  // "syslog phone_unregistered (ucm-sub1)", ...
  std::string cm_node;                   // the CM it was registered to last
  int64_t registered_since_us = 0;
  std::optional<regwatch::v1::StoredEvent> attachment;  // its latest topology sighting
  std::optional<nlohmann::ordered_json> incident;       // the burst its drop was part of
  std::vector<std::string> next_steps;
};

// timeline: the device's events up to at_us, oldest first; topology: its latest
// topology event (or none); incidents: candidate incidents around its last drop.
PhoneDiagnosis diagnose(const std::string& device, int64_t at_us,
                        const regwatch::v1::EventList& timeline,
                        const regwatch::v1::EventList& topology,
                        const std::vector<nlohmann::ordered_json>& incidents);

void write_diagnosis_text(std::ostream& out, const PhoneDiagnosis& d,
                          const regwatch::v1::EventList& timeline);
void write_diagnosis_json(std::ostream& out, const PhoneDiagnosis& d,
                          const regwatch::v1::EventList& timeline);

}  // namespace regwatch::cli
