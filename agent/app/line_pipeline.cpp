#include "agent/app/line_pipeline.h"

#include "common/event_kind.h"

namespace regwatch::agent {

int64_t LinePipeline::handle(std::string_view line, const syslog::LineContext& context) {
  syslog::ParsedLine parsed = syslog::parse_syslog_line(line, context);
  const int64_t event_time = parsed.time_from_line ? parsed.event.event_time_us() : 0;
  const auto kind = parsed.event.kind();
  const bool spoofed = senders_ && senders_->check(parsed.event);
  if (duplicates_ && !spoofed) duplicates_->mark(parsed.event);
  const bool stored = spool_.append(std::move(parsed.event));
  std::lock_guard lock(mutex_);
  ++counts_.lines;
  ++counts_.events;
  ++counts_.by_kind[kind_name(kind)];
  if (!parsed.recognised) ++counts_.unrecognised;
  if (!parsed.anomalies.empty()) ++counts_.with_anomalies;
  for (auto anomaly : parsed.anomalies) ++counts_.anomalies[std::string(anomaly)];
  if (!stored) ++counts_.spool_dropped;
  if (spoofed) ++counts_.spoofed;
  return event_time;
}

PipelineCounts LinePipeline::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

}  // namespace regwatch::agent
