#include "common/reports/dashboard_report.h"

#include "common/time_format.h"

namespace regwatch::reports {
namespace {

// A time, or null when there is none (0).
nlohmann::ordered_json time_or_null(int64_t us) {
  return us == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(format_rfc3339_ms(us));
}

}  // namespace

nlohmann::ordered_json drop_series_json(const v1::DropSeries& series) {
  nlohmann::ordered_json points = nlohmann::ordered_json::array();
  for (const auto& p : series.points()) {
    nlohmann::ordered_json counts = nlohmann::ordered_json::object();
    // In the series' class order, so every point reads alike.
    for (const auto& c : series.classes()) {
      const auto it = p.counts().find(c);
      counts[c] = it == p.counts().end() ? 0 : it->second;
    }
    points.push_back(
        {{"time", format_rfc3339_ms(p.time_us())}, {"drops", p.drops()}, {"counts", counts}});
  }
  return {{"step_s", series.step_s()},
          {"since", time_or_null(series.since_us())},
          {"until", time_or_null(series.until_us())},
          {"classes", series.classes()},
          {"points", points},
          {"truncated", series.truncated()}};
}

nlohmann::ordered_json cm_nodes_json(const v1::CmNodeList& list) {
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const auto& n : list.cm_nodes()) {
    nodes.push_back({{"cm_node", n.cm_node()},
                     {"registered", n.registered()},
                     {"unregistered", n.unregistered()},
                     {"rejected", n.rejected()},
                     {"partially_registered", n.partially_registered()},
                     {"change_from_previous", n.change_from_previous()},
                     {"time", time_or_null(n.time_us())},
                     {"agent", n.agent_id()}});
  }
  return {{"at", time_or_null(list.at_us())}, {"cm_nodes", nodes}};
}

nlohmann::ordered_json inputs_json(const v1::InputList& list) {
  nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
  for (const auto& i : list.inputs()) {
    inputs.push_back({{"agent", i.agent_id()},
                      {"source", i.source()},
                      {"origin", i.origin()},
                      {"last_event", time_or_null(i.last_event_time_us())},
                      {"last_stored", time_or_null(i.last_store_time_us())},
                      {"events", i.events()},
                      {"silent", i.silent()}});
  }
  return {{"silent_after_s", list.silent_after_s()},
          {"inputs", inputs},
          {"truncated", list.truncated()}};
}

nlohmann::ordered_json phones_json(const v1::PhoneList& list) {
  nlohmann::ordered_json phones = nlohmann::ordered_json::array();
  for (const auto& p : list.phones()) {
    phones.push_back({{"device", p.device()},
                      {"mac", p.mac()},
                      {"ip", p.ip()},
                      {"description", p.description()},
                      {"last_seen", time_or_null(p.last_seen_us())}});
  }
  return {{"matched_as", list.matched_as()}, {"phones", phones}, {"truncated", list.truncated()}};
}

}  // namespace regwatch::reports
