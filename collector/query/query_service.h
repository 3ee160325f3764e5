#pragma once
// regwatch.v1.Query: operator queries. SQLite reads can take a while on a big
// history, so they never run inside a gRPC reaction: each RPC is queued to a
// small pool of worker threads, each owning its own read connection, which
// finishes the RPC when done. The queue is bounded; when full the RPC fails
// with RESOURCE_EXHAUSTED instead of piling up.
//
// The HTTP API (collector/http/) asks the same questions through the plain methods below
// (events(), incidents(), ...): the same reads on the same workers, waited for, so both
// transports answer alike from one piece of code.
//
// A worker's connections: the event history through EventSource (whichever backend `db`
// names, store_backend.h), and the readers of the tables the alerting stores own
// (incidents, condition alerts, the outbox's delivery counts), SQLite for now.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collector/auth/access_policy.h"
#include "collector/correlate/drop_rule.h"
#include "collector/store/condition_alert_reader.h"
#include "collector/store/event_source.h"
#include "collector/store/incident_reader.h"
#include "collector/store/outbox_status_reader.h"
#include "collector/store/silence_store.h"
#include "common/config_stamp.h"
#include "regwatch/v1/query.grpc.pb.h"

namespace regwatch::collector::query {

class QueryService final : public regwatch::v1::Query::CallbackService {
 public:
  // Opens `threads` workers' read connections on `db_path` (a path or a backend URL,
  // open_store_backend()); fails like the first that fails to open.
  // alert_labels: the label names a silence's matchers may name (alert_label_names()).
  // drop_rule: what `top` and `explain` count as one drop (correlation's, from its merge_s).
  static Result<std::unique_ptr<QueryService>> create(const std::string& db_path, uint32_t threads,
                                                      const AccessPolicy& policy,
                                                      std::vector<std::string> alert_labels,
                                                      uint32_t max_silence_s,
                                                      const correlate::DropRule& drop_rule);
  ~QueryService() override;
  // Where Status reads which configuration runs (set before serving; the holder outlives us).
  void set_config_stamp(const config::ConfigStampHolder* stamp) { config_stamp_ = stamp; }
  // Who leads (collectors in pairs), for Status; set once at start.
  void set_leadership(std::function<regwatch::v1::LeaderStatus()> leadership) {
    leadership_ = std::move(leadership);
  }
  void set_store_backend(std::string name) { store_backend_ = std::move(name); }
  // Why the store is known to be out of reach now ("" = not known to be), asked before each
  // Status (set before serving; any thread, quick). While it says so, Status answers at once
  // from memory (store_error set), on the calling thread, rather than queue behind reads that
  // wait out their deadline (the lease's connection notices a silent store within seconds:
  // Leadership's store_unreachable).
  void set_store_unreachable(std::function<std::string()> why) {
    store_unreachable_ = std::move(why);
  }
  // Which agents have an ingest stream open now (set before serving): Status lists them even
  // before they have an event stored.
  void set_connected_agents(std::function<std::vector<std::string>()> connected) {
    connected_agents_ = std::move(connected);
  }

  grpc::ServerUnaryReactor* Events(grpc::CallbackServerContext* context,
                                   const regwatch::v1::EventQuery* request,
                                   regwatch::v1::EventList* response) override;
  grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* context,
                                   const regwatch::v1::StatusRequest* request,
                                   regwatch::v1::StatusReply* response) override;
  grpc::ServerUnaryReactor* Alerts(grpc::CallbackServerContext* context,
                                   const regwatch::v1::AlertQuery* request,
                                   regwatch::v1::AlertList* response) override;
  grpc::ServerUnaryReactor* Incidents(grpc::CallbackServerContext* context,
                                      const regwatch::v1::IncidentQuery* request,
                                      regwatch::v1::IncidentList* response) override;
  grpc::ServerUnaryReactor* Top(grpc::CallbackServerContext* context,
                                const regwatch::v1::TopQuery* request,
                                regwatch::v1::TopReply* response) override;
  // The diagnosis of one phone (explain_query.h), read like the other queries (role viewer).
  grpc::ServerUnaryReactor* Explain(grpc::CallbackServerContext* context,
                                    const regwatch::v1::ExplainQuery* request,
                                    regwatch::v1::ExplainReply* response) override;
  // One incident with its evidence events (incident_view.h), read like the other queries
  // (role viewer); NOT_FOUND when no incident has or had that id.
  grpc::ServerUnaryReactor* IncidentView(grpc::CallbackServerContext* context,
                                         const regwatch::v1::IncidentViewQuery* request,
                                         regwatch::v1::IncidentView* response) override;
  // The dashboard's questions (issue 19), read like the other queries (role viewer):
  // drops per step by reason class (drop_series.h), registered phones per CM node
  // (cm_nodes.h), every input and whether it went silent (inputs_query.h), the phone search
  // (phone_search.h).
  grpc::ServerUnaryReactor* Drops(grpc::CallbackServerContext* context,
                                  const regwatch::v1::DropSeriesQuery* request,
                                  regwatch::v1::DropSeries* response) override;
  grpc::ServerUnaryReactor* CmNodes(grpc::CallbackServerContext* context,
                                    const regwatch::v1::CmNodesQuery* request,
                                    regwatch::v1::CmNodeList* response) override;
  grpc::ServerUnaryReactor* Inputs(grpc::CallbackServerContext* context,
                                   const regwatch::v1::InputsQuery* request,
                                   regwatch::v1::InputList* response) override;
  grpc::ServerUnaryReactor* FindPhones(grpc::CallbackServerContext* context,
                                       const regwatch::v1::PhoneSearch* request,
                                       regwatch::v1::PhoneList* response) override;
  grpc::ServerUnaryReactor* Silences(grpc::CallbackServerContext* context,
                                     const regwatch::v1::SilenceQuery* request,
                                     regwatch::v1::SilenceList* response) override;
  grpc::ServerUnaryReactor* CreateSilence(grpc::CallbackServerContext* context,
                                          const regwatch::v1::Silence* request,
                                          regwatch::v1::Silence* response) override;
  grpc::ServerUnaryReactor* ExpireSilence(grpc::CallbackServerContext* context,
                                          const regwatch::v1::SilenceId* request,
                                          regwatch::v1::Silence* response) override;

  // The same questions without gRPC, for a caller that has checked access itself (the HTTP
  // API). Each blocks until a worker has answered. Errors: "bad_query" / "unknown_kind" (the
  // question is wrong), "not_found", "busy" (the queue is full), anything else is internal.
  // `identity` is who asks: a silence's author ("" = as the silence says).
  Result<regwatch::v1::EventList> events(const regwatch::v1::EventQuery& query);
  Result<regwatch::v1::StatusReply> status();
  Result<regwatch::v1::IncidentList> incidents(const regwatch::v1::IncidentQuery& query);
  Result<regwatch::v1::AlertList> alerts(const regwatch::v1::AlertQuery& query);
  Result<regwatch::v1::TopReply> top(const regwatch::v1::TopQuery& query);
  Result<regwatch::v1::ExplainReply> explain(const regwatch::v1::ExplainQuery& query);
  Result<regwatch::v1::IncidentView> incident_view(const regwatch::v1::IncidentViewQuery& query);
  // Events pages by EventQuery.cursor / EventList.next_cursor (a malformed cursor is
  // "bad_query"). The dashboard's: a too-small step for the range is "bad_query" naming the
  // smallest allowed; an empty search text is "bad_query".
  Result<regwatch::v1::DropSeries> drops(const regwatch::v1::DropSeriesQuery& query);
  Result<regwatch::v1::CmNodeList> cm_nodes(const regwatch::v1::CmNodesQuery& query);
  Result<regwatch::v1::InputList> inputs(const regwatch::v1::InputsQuery& query);
  Result<regwatch::v1::PhoneList> find_phones(const regwatch::v1::PhoneSearch& query);
  Result<regwatch::v1::SilenceList> silences(const regwatch::v1::SilenceQuery& query);
  Result<regwatch::v1::Silence> create_silence(const regwatch::v1::Silence& silence,
                                               const std::string& identity);
  Result<regwatch::v1::Silence> expire_silence(const regwatch::v1::SilenceId& id,
                                               const std::string& identity);

 private:
  // One worker's read connections, used by that worker only.
  struct Readers {
    std::unique_ptr<store::EventSource> events;
    std::unique_ptr<store::IncidentReader> incidents;
    std::unique_ptr<store::ConditionAlertReader> alerts;
    std::unique_ptr<store::OutboxStatusReader> outbox;
  };
  using Job = std::function<void(Readers&)>;
  QueryService(const AccessPolicy& policy, const correlate::DropRule& drop_rule)
      : policy_(policy), drop_rule_(drop_rule) {}
  bool enqueue(Job job);
  // Checks access, then runs read(readers) (or read(readers, identity): the token's name, empty
  // without tokens) on a worker and finishes the RPC with its result (or its error).
  template <typename Response, typename Read>
  grpc::ServerUnaryReactor* answer(grpc::CallbackServerContext* context, Response* response,
                                   Read read, QueryAccess access = QueryAccess::kRead);
  // Runs read(readers) on a worker and waits for its answer ("busy" when the queue is full).
  template <typename Response>
  Result<Response> call(std::function<Result<Response>(Readers&)> read);
  void work(Readers readers);

  // The reads themselves, one per question, shared by both transports.
  // Status: the store's part read by readers, and what the collector knows by itself; a store
  // that does not answer (known or found) gives memory_status(why) instead of an error.
  Result<regwatch::v1::StatusReply> read_status(Readers& readers) const;
  // What Status says without the store: build, config, leader, backend, connected agents.
  regwatch::v1::StatusReply memory_status(std::string store_error) const;
  void add_memory_parts(regwatch::v1::StatusReply& status) const;
  std::string known_unreachable() const;
  static void mark_connected(regwatch::v1::StatusReply& status,
                             const std::vector<std::string>& connected);
  Result<regwatch::v1::SilenceList> read_silences(const regwatch::v1::SilenceQuery& query);
  Result<regwatch::v1::Silence> write_silence(regwatch::v1::Silence silence,
                                              const std::string& identity);
  Result<regwatch::v1::Silence> write_expiry(const regwatch::v1::SilenceId& id,
                                             const std::string& identity);

  const AccessPolicy& policy_;
  const correlate::DropRule drop_rule_;
  std::function<regwatch::v1::LeaderStatus()> leadership_;
  std::string store_backend_;
  std::function<std::string()> store_unreachable_;
  // The last Status read that found the store unavailable (steady clock), and its error: for
  // kStatusRecheckAfter after it, Status answers from memory too, even before the lease has
  // noticed, rather than try again on a connection that would first reconnect (a connect
  // timeout behind a silent network).
  mutable std::mutex status_failure_mutex_;
  mutable std::chrono::steady_clock::time_point status_failed_at_;
  mutable std::string status_failure_;
  const config::ConfigStampHolder* config_stamp_ = nullptr;
  std::function<std::vector<std::string>()> connected_agents_;
  // The one writer among the queries (regwatch silence), shared by the workers.
  std::unique_ptr<store::SilenceStore> silences_;
  std::mutex silences_mutex_;
  std::vector<std::string> alert_labels_;  // what silences may match on
  uint32_t max_silence_s_ = 0;             // silences.max_duration_s
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace regwatch::collector::query
