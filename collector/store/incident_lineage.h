#pragma once
// Which stored incident a recomputed one continues. Correlation names an
// incident by its scope and first drop, which keeps the record a function of
// the events; but a late event can move either (an earlier drop arrives, a
// topology report narrows the scope), and to the people paged that is still
// the same incident. A recomputed incident continues:
//   1. the stored incident with its id, else
//   2. the stored one whose time range overlaps its own and with which it
//      shares the most phones, at least half of the smaller incident's.
// Each stored incident is continued at most once (a split keeps the identity
// on the part that shares most). Stored incidents no recomputed one continues
// are withdrawn. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "regwatch/v1/incident.pb.h"

namespace regwatch::collector::store {

struct IncidentSnapshot {
  std::string id;
  std::string first_id;  // stored ones only: the id it was first stored under
  v1::IncidentState state = v1::INCIDENT_STATE_UNSPECIFIED;
  std::string incident_class;
  std::string scope_type;
  std::string scope_name;
  std::string top_cause;
  int64_t start_us = 0;
  int64_t end_us = 0;
  std::vector<std::string> phones;  // sorted, distinct
};

struct Lineage {
  // For each recomputed incident: the index of the stored incident it continues.
  std::vector<std::optional<size_t>> continues;
  // Stored incidents that no recomputed incident continues.
  std::vector<size_t> withdrawn;
};

Lineage assign_lineage(const std::vector<IncidentSnapshot>& stored,
                       const std::vector<IncidentSnapshot>& recomputed);

// What changed that a reader of the incident's updates cares about, in words ("opened: ...",
// "reopened", "12 -> 40 phones; top cause cm_slow -> cm_cpu"), or "" when nothing did. before
// is null for a new one. Phones added are such a change only when they at least double the
// count last recorded (last_recorded_phones; 0: before's count), so a burst that grows one
// phone at a time records a few updates, not one per phone; with another change the count
// is always said.
std::string describe_change(const IncidentSnapshot* before, const IncidentSnapshot& after,
                            size_t last_recorded_phones = 0);

}  // namespace regwatch::collector::store
