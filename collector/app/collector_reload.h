#pragma once
// What a reload (SIGHUP) of the collector changes, decided from the config running and the
// one just read and checked. Pure: collector_server.cpp applies the plan.
//
// Applied in place, without dropping a connection or an event:
//   tokens, tokens_file, access_tokens, client_certificates.agents  (access rules)
//   correlation (thresholds and windows; merge_s excepted, below)    (next pass)
//   alerting (receivers, routes, rules, inhibitions, conditions, labels) and
//   http.external_url (the links in payloads)                         (dispatcher swapped)
//   log_level, log_format
// Read only at start: the new value is kept for the next start and named in `needs_restart`
// (logged, and shown by `regwatch status`): listen, db, retention_days, TLS files,
// allow_anonymous, client_certificates.identity, ingest.*, max_pending_batches_per_stream,
// query_threads, silences.*, http.* (but external_url), correlation.merge_s (top and explain
// count drops by it too).
#include <string>
#include <vector>

#include "collector/app/collector_config.h"

namespace regwatch::collector {

struct CollectorReloadPlan {
  // `next` with the start-only keys kept as they run: what to run from now on.
  CollectorConfig effective;
  std::vector<std::string> needs_restart;  // start-only keys whose value differs, file order
  bool access = false;
  bool correlation = false;
  bool alerting = false;
  bool log_level = false;  // log_level or log_format
  bool applies_anything() const { return access || correlation || alerting || log_level; }
};

CollectorReloadPlan plan_collector_reload(const CollectorConfig& running,
                                          const CollectorConfig& next);

}  // namespace regwatch::collector
