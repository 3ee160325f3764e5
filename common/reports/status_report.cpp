#include "common/reports/status_report.h"

#include "common/time_format.h"

namespace regwatch::reports {

nlohmann::ordered_json status_json(const v1::StatusReply& status) {
  nlohmann::ordered_json json;
  json["version"] = status.version();
  json["schema_version"] = status.schema_version();
  json["total_events"] = status.total_events();
  const auto& config = status.config();
  json["config"] = {
      {"file", config.file()},
      {"sha256", config.sha256()},
      {"loaded_at", format_rfc3339_ms(config.loaded_at_us())},
      {"last_reload_at", config.reload_at_us() == 0
                             ? nlohmann::ordered_json(nullptr)
                             : nlohmann::ordered_json(format_rfc3339_ms(config.reload_at_us()))},
      {"last_reload_ok", config.reload_ok()},
      {"last_reload_error", config.reload_error()},
      {"needs_restart", config.needs_restart()}};
  json["store_backend"] = status.store_backend();
  // null while the store answers; else why not (event counts and receivers are then missing).
  json["store_error"] = status.store_error().empty() ? nlohmann::ordered_json(nullptr)
                                                     : nlohmann::ordered_json(status.store_error());
  const auto& leader = status.leader();
  json["leader"] = {
      {"in_pairs", leader.in_pairs()},
      {"this_leads", leader.this_leads()},
      {"this_collector", leader.this_collector()},
      {"leader", leader.leader()},
      {"leader_address", leader.leader_address()},
      {"since", leader.leader_since_us() == 0
                    ? nlohmann::ordered_json(nullptr)
                    : nlohmann::ordered_json(format_rfc3339_ms(leader.leader_since_us()))},
      {"term", leader.term()},
      {"lease_expires", leader.lease_expires_us() == 0
                            ? nlohmann::ordered_json(nullptr)
                            : nlohmann::ordered_json(format_rfc3339_ms(leader.lease_expires_us()))},
      {"lease_current", leader.lease_current()}};
  json["agents"] = nlohmann::ordered_json::array();
  for (const auto& a : status.agents()) {
    nlohmann::ordered_json incomplete = nlohmann::ordered_json::array();
    for (const auto& t : a.incomplete_targets()) {
      incomplete.push_back({{"target", t.target()},
                            {"role", t.role()},
                            {"missing", t.missing()},
                            {"fix", t.fix()},
                            {"since", format_rfc3339_ms(t.since_us())},
                            {"last_reported", format_rfc3339_ms(t.last_reported_us())}});
    }
    // An agent connected with nothing stored yet has no last store time: null, not 1970.
    json["agents"].push_back(
        {{"agent_id", a.agent_id()},
         {"last_seq", a.last_seq()},
         {"events", a.events()},
         {"spoofed", a.spoofed()},
         {"last_store_time",
          a.events() == 0 ? nlohmann::ordered_json(nullptr)
                          : nlohmann::ordered_json(format_rfc3339_ms(a.last_store_time_us()))},
         {"connected", a.connected()},
         {"incomplete_targets", std::move(incomplete)}});
  }
  json["receivers"] = nlohmann::ordered_json::array();
  for (const auto& r : status.receivers()) {
    json["receivers"].push_back({{"receiver", r.receiver()},
                                 {"pending", r.pending()},
                                 {"delivered", r.delivered()},
                                 {"given_up", r.given_up()},
                                 {"failed_attempts", r.failed_attempts()},
                                 {"last_error", r.last_error()}});
  }
  return json;
}

}  // namespace regwatch::reports
