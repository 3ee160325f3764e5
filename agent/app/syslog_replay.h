#pragma once
// --replay-syslog: loads an archived syslog file (as a syslog server wrote it,
// with its own prefix before each device line) through the same parser as live
// traffic, with each line's own event time. A year missing from a line is
// inferred from the neighbouring lines that carry one (CUCM's do), else from
// the file's modification date. Lines longer than the parser's limit are
// truncated, flagged and kept.
#include <cstdint>
#include <functional>
#include <string>

#include "agent/app/line_pipeline.h"
#include "common/clock.h"

namespace regwatch::agent {

struct ReplayOptions {
  int assumed_utc_offset_minutes = 0;
  // Called every ~0.5 s with (bytes read, file size), for progress output.
  std::function<void(uint64_t, uint64_t)> on_progress;
  // Asked between lines: true stops the replay there (SIGTERM, SIGINT), with what was read.
  std::function<bool()> stop_requested;
};

struct ReplayResult {
  uint64_t lines = 0;
};

Result<ReplayResult> replay_syslog_file(const std::string& path, LinePipeline& pipeline,
                                        const ReplayOptions& options, const Clock& clock);

}  // namespace regwatch::agent
