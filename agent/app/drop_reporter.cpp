#include "agent/app/drop_reporter.h"

#include "agent/spool/spool.h"
#include "common/logging.h"

namespace regwatch::agent {

std::vector<regwatch::v1::Event> DropReporter::changes(
    const std::map<std::string, uint64_t>& totals, int64_t now_us) {
  std::vector<regwatch::v1::Event> out;
  for (const auto& [reason, total] : totals) {
    uint64_t& reported = reported_[reason];
    if (total <= reported) continue;
    out.push_back(spool::make_drop_report(agent_id_, reason, "", total - reported, total, now_us));
    component_logger("agent")->warn("dropped {} input(s): {} ({} since start)", total - reported,
                                    reason, total);
    reported = total;
  }
  return out;
}

}  // namespace regwatch::agent
