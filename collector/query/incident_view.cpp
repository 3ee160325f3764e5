#include "collector/query/incident_view.h"

#include <cstdint>
#include <set>
#include <utility>

namespace regwatch::collector::query {

Result<regwatch::v1::IncidentView> incident_view(store::EventSource& reader,
                                                 store::IncidentReader& incident_reader,
                                                 const regwatch::v1::IncidentViewQuery& query) {
  // An empty IncidentQuery.id means "any incident": asking for it would answer the newest.
  if (query.id().empty()) return make_error("bad_query", "an incident view needs an id");
  regwatch::v1::IncidentQuery by_id;
  by_id.set_id(query.id());
  by_id.set_limit(1);
  auto found = incident_reader.incidents(by_id);
  if (!found.ok()) return found.error();
  if (found->incidents().empty())
    return make_error("not_found", "no incident '" + query.id() + "'");

  regwatch::v1::IncidentView view;
  *view.mutable_incident() = std::move(*found->mutable_incidents(0));
  *view.mutable_updates() = std::move(*found->mutable_updates());
  view.set_first_id(found->first_id());
  view.set_moved(view.incident().id() != query.id());

  // A cause and the drop may cite the same event: each is read once. Event ids grow with
  // store time, so the ids kept when cut are the oldest.
  std::set<int64_t> ids;
  for (const auto& cause : view.incident().causes())
    ids.insert(cause.evidence().begin(), cause.evidence().end());
  ids.insert(view.incident().drop_evidence().begin(), view.incident().drop_evidence().end());
  if (ids.empty()) return view;
  regwatch::v1::EventQuery evidence;
  for (int64_t id : ids) {
    if (static_cast<size_t>(evidence.ids_size()) == kMaxEvidenceEvents) break;
    evidence.add_ids(id);
  }
  view.set_evidence_cut(ids.size() > kMaxEvidenceEvents);
  evidence.set_oldest_first(true);
  evidence.set_limit(kMaxEvidenceEvents);
  auto events = reader.query(evidence);
  if (!events.ok()) return events.error();
  *view.mutable_evidence() = std::move(events).value();
  return view;
}

}  // namespace regwatch::collector::query
