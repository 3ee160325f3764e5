#include "collector/query/cm_nodes.h"

#include <algorithm>

namespace regwatch::collector::query {

regwatch::v1::CmNodeList cm_node_counts(const std::vector<regwatch::v1::StoredEvent>& latest,
                                        int64_t at_us) {
  regwatch::v1::CmNodeList list;
  list.set_at_us(at_us);
  for (const auto& stored : latest) {
    const auto& e = stored.event();
    if (!e.has_registered_phones()) continue;
    const auto& counts = e.registered_phones();
    auto* node = list.add_cm_nodes();
    node->set_cm_node(e.origin());
    node->set_registered(counts.registered());
    node->set_unregistered(counts.unregistered());
    node->set_rejected(counts.rejected());
    node->set_partially_registered(counts.partially_registered());
    node->set_change_from_previous(counts.change_from_previous());
    node->set_time_us(e.event_time_us());
    node->set_agent_id(e.agent_id());
  }
  std::stable_sort(list.mutable_cm_nodes()->begin(), list.mutable_cm_nodes()->end(),
                   [](const auto& a, const auto& b) { return a.cm_node() < b.cm_node(); });
  return list;
}

Result<regwatch::v1::CmNodeList> read_cm_nodes(store::EventSource& reader,
                                               const regwatch::v1::CmNodesQuery& query,
                                               int64_t now_us) {
  const int64_t at_us = query.at_us() == 0 ? now_us : query.at_us();
  auto latest = reader.latest_registered_phones(at_us, kMaxCmNodes);
  if (!latest.ok()) return latest.error();
  return cm_node_counts(*latest, at_us);
}

}  // namespace regwatch::collector::query
