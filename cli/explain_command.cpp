#include "cli/explain_command.h"

#include <algorithm>

#include "cli/phone_diagnosis.h"
#include "common/record_json.h"

namespace regwatch::cli {

bool run_explain(CollectorClient& client, const std::string& device, int64_t at_us, Format format,
                 std::ostream& out, bool& known, CallError& error) {
  v1::EventQuery recent;
  recent.set_device(device);
  recent.set_until_us(at_us + 1);
  recent.set_limit(kExplainTimelineEvents);  // newest first: the last ones before --at
  v1::EventList newest_first;
  if (!client.events(recent, newest_first, error)) return false;
  v1::EventList timeline;
  for (int i = newest_first.events_size() - 1; i >= 0; --i)
    *timeline.add_events() = newest_first.events(i);
  timeline.set_truncated(newest_first.truncated());

  // Its attachment may be older than its last events: asked apart.
  v1::EventQuery where;
  where.set_device(device);
  where.add_kinds("topology");
  where.set_until_us(at_us + 1);
  where.set_limit(1);
  v1::EventList topology;
  if (!client.events(where, topology, error)) return false;

  PhoneDiagnosis d = diagnose(device, at_us, timeline, topology, {});
  if (d.last_drop_us) {
    // Incidents are listed by start; one that holds this drop started before it, at most a few
    // hours before for the longest bursts.
    v1::IncidentQuery around;
    around.set_since_us(d.last_drop_us - 6LL * 3600 * 1'000'000);
    around.set_until_us(d.last_drop_us + 1);
    around.set_limit(100);
    v1::IncidentList found;
    if (!client.incidents(around, found, error)) return false;
    std::vector<nlohmann::ordered_json> incidents;
    // The diagnosis reads incidents as their JSON (the rendering the CLI prints).
    for (const auto& incident : found.incidents()) incidents.push_back(incident_json(incident));
    d = diagnose(device, at_us, timeline, topology, incidents);
  }
  known = !timeline.events().empty() || !topology.events().empty();
  switch (format) {
    case Format::kJson:
    case Format::kJsonl: write_diagnosis_json(out, d, timeline); break;
    case Format::kCsv: write_events(out, timeline, Format::kCsv); break;
    case Format::kTable: write_diagnosis_text(out, d, timeline); break;
  }
  return true;
}

}  // namespace regwatch::cli
