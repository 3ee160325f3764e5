#pragma once
// The syslog path inside the agent: a received (or replayed) line goes through
// the parser and into the spool. Counts what happened to every line, so that
// nothing is lost silently: lines, events, unrecognised lines (kept raw as
// syslog_other), lines with anomalies, and events the spool dropped.
//
// Threads: handle() may be called from several threads (listener, replay).
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "agent/app/duplicate_drop_marker.h"
#include "agent/app/origin_senders.h"
#include "agent/spool/spool.h"
#include "agent/syslog/syslog_parser.h"

namespace regwatch::agent {

struct PipelineCounts {
  uint64_t lines = 0;
  uint64_t events = 0;
  uint64_t unrecognised = 0;
  uint64_t with_anomalies = 0;
  uint64_t spool_dropped = 0;
  uint64_t spoofed = 0;  // kept, flagged: the origin's sender list does not allow the sender
  std::map<std::string, uint64_t> by_kind;
  std::map<std::string, uint64_t> anomalies;
};

class LinePipeline {
 public:
  // duplicates (optional, must outlive the pipeline) marks drops another
  // input of this agent already reported; senders (optional, likewise) flags
  // lines from an address their origin's sender list does not allow. A spoofed
  // line is never taken as the first report of a drop.
  explicit LinePipeline(spool::Spool& spool, DuplicateDropMarker* duplicates = nullptr,
                        OriginSenders* senders = nullptr)
      : spool_(spool), duplicates_(duplicates), senders_(senders) {}

  // Parses and spools one line; returns the event time the line itself stated, 0 when it
  // stated none usable and got the receive time (replay uses it as the reference time for
  // the next line).
  int64_t handle(std::string_view line, const syslog::LineContext& context);
  PipelineCounts counts() const;

 private:
  spool::Spool& spool_;
  DuplicateDropMarker* duplicates_;
  OriginSenders* senders_;
  mutable std::mutex mutex_;
  PipelineCounts counts_;
};

}  // namespace regwatch::agent
