#pragma once
// Start-up of the collector as an ordered list of small steps: open the store
// (migrations), build credentials, start the commit queue, the services and
// the gRPC server. Any failure is returned as a clear Error before anything
// listens. Runs until shutdown() (called from a signal-watching thread).
#include <memory>
#include <string>

#include "alerts/alert_dispatcher.h"
#include "collector/app/collector_config.h"
#include "collector/app/condition_runner.h"
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

 private:
  CollectorServer() = default;
  // The HTTP side on config.http (nothing when its listen is "").
  Status start_http(const CollectorConfig& config, const Clock& clock);

  std::unique_ptr<AccessPolicy> policy_;
  ingest::ConnectedAgents connected_agents_;         // ingest keeps it, conditions read it
  std::unique_ptr<alerts::AlertDispatcher> alerts_;  // before correlation_: it hands incidents over
  std::unique_ptr<CorrelationRunner> correlation_;   // before commits_: their callback uses it
  std::unique_ptr<ConditionRunner> conditions_;      // after alerts_: it hands alerts over
  std::unique_ptr<ingest::CommitQueue> commits_;
  std::unique_ptr<ingest::StreamLimiter> stream_limiter_;      // before ingest_: its streams
  std::unique_ptr<ingest::PendingBytesBudget> pending_bytes_;  // hold slots and charges
  std::unique_ptr<ingest::IngestService> ingest_;
  std::unique_ptr<query::QueryService> queries_;
  http::IncidentChanges incident_changes_;  // correlation and conditions tell the live pages
  std::unique_ptr<http::HttpServer> http_;  // after queries_ and policy_: it answers from them
  std::unique_ptr<grpc::Server> server_;
  std::string listening_on_;
};

}  // namespace regwatch::collector
