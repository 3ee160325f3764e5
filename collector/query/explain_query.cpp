#include "collector/query/explain_query.h"

#include <algorithm>

#include "collector/query/phone_diagnosis.h"

namespace regwatch::collector::query {
namespace {

// Incidents are listed by start; one that holds a drop started before it, at most a few hours
// before for the longest bursts.
constexpr int64_t kIncidentLookbackUs = 6LL * 3600 * 1'000'000;
constexpr uint32_t kMaxIncidentCandidates = 100;

}  // namespace

Result<regwatch::v1::ExplainReply> explain_phone(store::EventSource& reader,
                                                 store::IncidentReader& incident_reader,
                                                 const regwatch::v1::ExplainQuery& query,
                                                 const correlate::DropRule& rule, int64_t now_us) {
  if (query.device().empty()) return make_error("bad_query", "explain needs a device name");
  const std::string& device = query.device();
  const int64_t at_us = query.at_us() == 0 ? now_us : query.at_us();

  regwatch::v1::EventQuery recent;
  recent.set_device(device);
  recent.set_until_us(at_us + 1);
  recent.set_limit(query.timeline_limit() == 0 ? kExplainTimelineEvents
                                               : std::min(query.timeline_limit(), 1000u));
  auto newest_first = reader.query(recent);  // newest first: the last ones before at_us
  if (!newest_first.ok()) return newest_first.error();
  regwatch::v1::EventList timeline;
  for (int i = newest_first->events_size() - 1; i >= 0; --i)
    *timeline.add_events() = std::move(*newest_first->mutable_events(i));
  timeline.set_truncated(newest_first->truncated());

  // Its attachment may be older than its last events: asked apart.
  regwatch::v1::EventQuery where;
  where.set_device(device);
  where.add_kinds("topology");
  where.set_until_us(at_us + 1);
  where.set_limit(1);
  auto topology = reader.query(where);
  if (!topology.ok()) return topology.error();

  auto reply = diagnose(device, at_us, timeline, *topology, {}, rule);
  if (reply.last_drop_us() == 0) return reply;
  regwatch::v1::IncidentQuery around;
  around.set_since_us(reply.last_drop_us() - kIncidentLookbackUs);
  around.set_until_us(reply.last_drop_us() + 1);
  around.set_limit(kMaxIncidentCandidates);
  auto found = incident_reader.incidents(around);
  if (!found.ok()) return found.error();
  std::vector<IncidentCandidate> incidents;
  for (const auto& incident : found->incidents()) incidents.push_back(incident_candidate(incident));
  return diagnose(device, at_us, timeline, *topology, incidents, rule);
}

}  // namespace regwatch::collector::query
