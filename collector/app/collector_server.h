#pragma once
// Start-up of the collector as an ordered list of small steps: open the store
// (migrations), build credentials, start the commit queue, the services and
// the gRPC server. Any failure is returned as a clear Error before anything
// listens. Runs until shutdown() (called from a signal-watching thread).
#include <memory>
#include <string>

#include "collector/app/alert_dispatch_slot.h"
#include "collector/app/collector_config.h"
#include "collector/app/collector_reload.h"
#include "collector/app/condition_runner.h"
#include "collector/app/leadership.h"
#include "collector/auth/access_policy.h"
#include "collector/correlate/correlation_runner.h"
#include "collector/http/http_server.h"
#include "collector/http/incident_changes.h"
#include "collector/ingest/commit_queue.h"
#include "collector/ingest/ingest_service.h"
#include "collector/ingest/pending_bytes_budget.h"
#include "collector/ingest/stream_limiter.h"
#include "collector/query/query_service.h"
#include "common/clock.h"
#include "common/config_stamp.h"

namespace regwatch::collector {

class CollectorServer {
 public:
  static Result<std::unique_ptr<CollectorServer>> start(const CollectorConfig& config,
                                                        const Clock& clock);
  ~CollectorServer();

  // The address actually bound (resolves port 0).
  const std::string& listening_on() const { return listening_on_; }
  // The dashboard's and the API's URL ("" when http.listen is "").
  std::string http_url() const { return http_ ? http_->url() : std::string(); }
  void wait();      // until shutdown()
  void shutdown();  // stops accepting, finishes in-flight commits, closes the store

  // A reload (SIGHUP) with a config already read and checked as start-up checks it: applies
  // what can change in place (collector_reload.h) and returns the plan it followed (what it
  // applied, what waits for a restart). An error (alerting could not start on the new
  // receivers) leaves the part that failed as it was; the rest is applied. Call from one
  // thread at a time (the signal watcher's).
  Result<CollectorReloadPlan> reload(const CollectorConfig& next);
  // Which config runs, for status and /metrics (main records loads and refusals in it).
  config::ConfigStampHolder& config_stamp() { return *config_stamp_; }
  // Whether this collector runs correlation, conditions and alert dispatch now (always, alone
  // on SQLite; while it holds the lease, in pairs on PostgreSQL: leadership.h).
  bool leading() const;

 private:
  CollectorServer() = default;
  // The HTTP side on config.http (nothing when its listen is "").
  Status start_http(const CollectorConfig& config, const Clock& clock);

  CollectorConfig running_;  // what runs now (reloads change it)
  std::unique_ptr<config::ConfigStampHolder> config_stamp_;
  std::unique_ptr<AccessPolicy> policy_;
  ingest::ConnectedAgents connected_agents_;        // ingest keeps it; conditions, status read it
  std::unique_ptr<AlertDispatchSlot> alerts_;       // before correlation_: it hands incidents over
  std::unique_ptr<CorrelationRunner> correlation_;  // before commits_: their callback uses it
  std::unique_ptr<ConditionRunner> conditions_;     // after alerts_: it hands alerts over
  std::unique_ptr<ingest::CommitQueue> commits_;
  std::unique_ptr<ingest::StreamLimiter> stream_limiter_;      // before ingest_: its streams
  std::unique_ptr<ingest::PendingBytesBudget> pending_bytes_;  // hold slots and charges
  std::unique_ptr<ingest::IngestService> ingest_;
  std::unique_ptr<query::QueryService> queries_;
  http::IncidentChanges incident_changes_;  // correlation and conditions tell the live pages
  std::unique_ptr<http::HttpServer> http_;  // after queries_ and policy_: it answers from them
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Leadership> leadership_;  // last: its callbacks reach alerts_
  std::string listening_on_;
};

}  // namespace regwatch::collector
