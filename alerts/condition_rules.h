#pragma once
// Condition alerts: states of the voice network, or of regwatch itself, that
// are worth a page of their own rather than a burst: a CM node's heartbeat
// low, its CPU pegged, a CM service failed, phones stuck failing
// registration, a CM node's registered-phone count dropping, an agent silent
// or dropping events, a device that stopped sending. Pure: the runner
// (collector/app/condition_runner.h) gathers the inputs, keeps each alert's
// episode across evaluations and hands them to the dispatcher.
//
// Event-based conditions fire while their latest evidence (by event time) is
// within the rule's window_s of now, so a replayed archive from last week
// raises none; silence-based ones (agent_silent, source_silent) compare the
// collector's clock with the last live event.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "alerts/alerting_config.h"
#include "alerts/store/condition_episode_store.h"
#include "regwatch/v1/event.pb.h"
#include "regwatch/v1/incident.pb.h"

namespace regwatch::alerts {

struct ConditionInputs {
  int64_t now_us = 0;
  // Events of condition_event_kinds() from the longest window before now (event time).
  std::vector<std::pair<int64_t, regwatch::v1::Event>> events;  // (stored id, event)
  std::vector<SourceActivity> sources;
  // Agents with an ingest stream open now, and when a closed one's stream closed.
  std::function<bool(const std::string& agent_id)> agent_connected;
  std::function<int64_t(const std::string& agent_id)> agent_closed_at;  // 0 = unknown
  // Whether the phone registered at or after the time (phone_stuck).
  std::function<bool(const std::string& device, int64_t since_us)> registered_since;
  // phones_still_down: incidents that quieted within its rule's window, with their phones not
  // registered since.
  std::vector<QuietIncident> quiet_incidents;
};

// A condition met now.
struct ActiveCondition {
  std::string alert;      // alertname
  std::string condition;  // the rule's condition
  std::string severity;
  bool notify = true;
  std::map<std::string, std::string> labels;  // what it is about: cm_node, agent, source, ...
  std::string identity;                       // alert and labels: one per thing it is about
  int64_t first_evidence_us = 0;
  int64_t last_evidence_us = 0;
  std::string summary;
  std::string description;
  std::string remediation;
  std::string command;            // the regwatch command that shows the evidence
  std::vector<int64_t> evidence;  // stored event ids (at most 100)
};

// The kinds (by name) the event-based conditions read.
const std::vector<std::string>& condition_event_kinds();
// The longest window any event-based rule looks back over (phones_still_down reads
// incidents, not events).
uint32_t condition_lookback_s(const std::vector<ConditionRule>& rules);

std::vector<ActiveCondition> evaluate_conditions(const ConditionInputs& inputs,
                                                 const std::vector<ConditionRule>& rules);

// The record stored and handed to the dispatcher for one episode (ends_us: 0 while firing).
v1::Alert condition_record(const ActiveCondition& condition, const std::string& key,
                           v1::AlertStatus status, int64_t starts_us, int64_t ends_us);

}  // namespace regwatch::alerts
