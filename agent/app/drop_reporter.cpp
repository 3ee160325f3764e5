#include "agent/app/drop_reporter.h"

#include "common/logging.h"

namespace regwatch::agent {

std::vector<regwatch::v1::Event> DropReporter::changes(
    const std::map<std::string, uint64_t>& totals, int64_t now_us) {
  std::vector<regwatch::v1::Event> out;
  for (const auto& [reason, total] : totals) {
    uint64_t& reported = reported_[reason];
    if (total <= reported) continue;
    regwatch::v1::Event report;
    report.set_event_time_us(now_us);
    report.set_receive_time_us(now_us);
    report.set_origin(agent_id_);
    report.set_source(regwatch::v1::SOURCE_AGENT);
    report.set_kind(regwatch::v1::AGENT_DROPS);
    auto* drops = report.mutable_agent_drops();
    drops->set_reason(reason);
    drops->set_dropped(total - reported);
    drops->set_dropped_total(total);
    component_logger("agent")->warn("dropped {} input(s): {} ({} since start)", total - reported,
                                    reason, total);
    reported = total;
    out.push_back(std::move(report));
  }
  return out;
}

}  // namespace regwatch::agent
