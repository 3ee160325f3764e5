#include "collector/query/query_service.h"

#include <algorithm>
#include <memory>
#include <type_traits>

#include "collector/query/cm_nodes.h"
#include "collector/query/drop_series.h"
#include "collector/query/explain_query.h"
#include "collector/query/incident_view.h"
#include "collector/query/inputs_query.h"
#include "collector/query/phone_search.h"
#include "collector/query/top_query.h"
#include "collector/store/store_backend.h"
#include "common/build_version.h"
#include "common/clock.h"
#include "common/logging.h"

namespace regwatch::collector::query {
namespace {

constexpr size_t kMaxQueuedQueries = 256;
constexpr char kUnavailable[] = "unavailable";  // database.h's code for a store out of reach
// How long a Status read that found the store unavailable stands for the store's state.
constexpr std::chrono::seconds kStatusRecheckAfter{5};

// 7d, 36h, 90m or 45s: the largest unit that divides it, as the CLI's --for takes them.
std::string as_duration(int64_t seconds) {
  for (auto [unit, name] : {std::pair{86400, "d"}, std::pair{3600, "h"}, std::pair{60, "m"}}) {
    if (seconds >= unit && seconds % unit == 0) return std::to_string(seconds / unit) + name;
  }
  return std::to_string(seconds) + "s";
}

grpc::Status to_grpc(const Error& error) {
  if (error.code == "bad_query" || error.code == "unknown_kind")
    return {grpc::StatusCode::INVALID_ARGUMENT, error.message};
  if (error.code == "not_found") return {grpc::StatusCode::NOT_FOUND, error.message};
  return {grpc::StatusCode::INTERNAL, error.message};
}

}  // namespace

Result<std::unique_ptr<QueryService>> QueryService::create(const std::string& db_path,
                                                           uint32_t threads,
                                                           const AccessPolicy& policy,
                                                           std::vector<std::string> alert_labels,
                                                           uint32_t max_silence_s,
                                                           const correlate::DropRule& drop_rule) {
  std::unique_ptr<QueryService> service(new QueryService(policy, drop_rule));
  service->alert_labels_ = std::move(alert_labels);
  service->max_silence_s_ = max_silence_s;
  auto silences = store::SilenceStore::open(db_path);
  if (!silences.ok()) return silences.error();
  service->silences_ = std::move(silences).value();
  auto backend = store::open_store_backend(db_path);
  if (!backend.ok()) return backend.error();
  for (uint32_t i = 0; i < threads; ++i) {
    Readers readers;
    auto events = (*backend)->open_source();
    if (!events.ok()) return events.error();
    readers.events = std::move(events).value();
    auto incidents = store::IncidentReader::open(db_path);
    if (!incidents.ok()) return incidents.error();
    readers.incidents = std::move(incidents).value();
    auto alerts = store::ConditionAlertReader::open(db_path);
    if (!alerts.ok()) return alerts.error();
    readers.alerts = std::move(alerts).value();
    auto outbox = store::OutboxStatusReader::open(db_path);
    if (!outbox.ok()) return outbox.error();
    readers.outbox = std::move(outbox).value();
    service->workers_.emplace_back(
        [raw = service.get(), r = std::move(readers)]() mutable { raw->work(std::move(r)); });
  }
  return service;
}

QueryService::~QueryService() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& worker : workers_) worker.join();
}

bool QueryService::enqueue(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= kMaxQueuedQueries) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void QueryService::work(Readers readers) {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job(readers);
  }
}

template <typename Response, typename Read>
grpc::ServerUnaryReactor* QueryService::answer(grpc::CallbackServerContext* context,
                                               Response* response, Read read, QueryAccess access) {
  auto* reactor = context->DefaultReactor();
  std::string identity;
  if (auto allowed = policy_.check_query(*context, access, identity); !allowed.ok()) {
    reactor->Finish(allowed);
    return reactor;
  }
  bool queued = enqueue([reactor, response, read = std::move(read),
                         identity = std::move(identity)](Readers& readers) {
    auto result = [&] {
      if constexpr (std::is_invocable_v<Read, Readers&, const std::string&>) {
        return read(readers, identity);
      } else {
        return read(readers);
      }
    }();
    if (!result.ok()) {
      reactor->Finish(to_grpc(result.error()));
      return;
    }
    *response = std::move(result).value();
    reactor->Finish(grpc::Status::OK);
  });
  if (!queued) reactor->Finish({grpc::StatusCode::RESOURCE_EXHAUSTED, "too many queries queued"});
  return reactor;
}

template <typename Response>
Result<Response> QueryService::call(std::function<Result<Response>(Readers&)> read) {
  auto answer = std::make_shared<std::promise<Result<Response>>>();
  auto future = answer->get_future();
  if (!enqueue(
          [answer, read = std::move(read)](Readers& readers) { answer->set_value(read(readers)); }))
    return make_error("busy", "too many queries queued; try again");
  return future.get();
}

// Flags the connected agents, and lists those that have no event stored yet (a fresh agent
// with nothing to say is there, not missing).
void QueryService::mark_connected(regwatch::v1::StatusReply& status,
                                  const std::vector<std::string>& connected) {
  for (const auto& id : connected) {
    auto* agents = status.mutable_agents();
    auto it = std::find_if(agents->begin(), agents->end(),
                           [&](const auto& a) { return a.agent_id() == id; });
    if (it == agents->end()) {
      auto* added = status.add_agents();
      added->set_agent_id(id);
      added->set_connected(true);
    } else {
      it->set_connected(true);
    }
  }
  std::sort(status.mutable_agents()->begin(), status.mutable_agents()->end(),
            [](const auto& a, const auto& b) { return a.agent_id() < b.agent_id(); });
}

std::string QueryService::known_unreachable() const {
  if (std::string why = store_unreachable_ ? store_unreachable_() : std::string(); !why.empty())
    return why;
  std::lock_guard lock(status_failure_mutex_);
  if (!status_failure_.empty() &&
      std::chrono::steady_clock::now() - status_failed_at_ < kStatusRecheckAfter)
    return status_failure_;
  return {};
}

regwatch::v1::StatusReply QueryService::memory_status(std::string store_error) const {
  regwatch::v1::StatusReply status;
  status.set_store_error(std::move(store_error));
  if (connected_agents_) mark_connected(status, connected_agents_());
  add_memory_parts(status);
  return status;
}

Result<regwatch::v1::StatusReply> QueryService::read_status(Readers& readers) const {
  // Known out of reach: no read (it would wait out its deadline and then fail).
  if (std::string why = known_unreachable(); !why.empty()) return memory_status(std::move(why));
  auto status = readers.events->status();
  if (!status.ok()) {
    if (status.error().code != kUnavailable) return status;
    {
      std::lock_guard lock(status_failure_mutex_);
      status_failed_at_ = std::chrono::steady_clock::now();
      status_failure_ = status.error().message;
    }
    return memory_status(status.error().message);
  }
  if (connected_agents_) mark_connected(*status, connected_agents_());
  // The receivers after the agents, as one reply.
  if (auto receivers = readers.outbox->add_receivers(*status); !receivers.ok()) {
    if (receivers.error().code != kUnavailable)
      return Result<regwatch::v1::StatusReply>(receivers.error());
    status->set_store_error(receivers.error().message);  // the agents were read: keep them
  }
  add_memory_parts(*status);
  return status;
}

void QueryService::add_memory_parts(regwatch::v1::StatusReply& status) const {
  status.set_version(std::string(build_version()));
  status.set_git_revision(std::string(build_revision()));
  status.set_build_date(std::string(build_date()));
  if (leadership_) *status.mutable_leader() = leadership_();
  status.set_store_backend(store_backend_);
  if (config_stamp_) {
    const auto stamp = config_stamp_->get();
    auto* config = status.mutable_config();
    config->set_file(stamp.file);
    config->set_sha256(stamp.sha256);
    config->set_loaded_at_us(stamp.loaded_at_us);
    config->set_reload_at_us(stamp.reload_at_us);
    config->set_reload_ok(stamp.reload_ok);
    config->set_reload_error(stamp.reload_error);
    for (const auto& key : stamp.needs_restart) config->add_needs_restart(key);
  }
}

Result<regwatch::v1::SilenceList> QueryService::read_silences(
    const regwatch::v1::SilenceQuery& query) {
  std::lock_guard lock(silences_mutex_);
  auto found = silences_->list(query.include_expired(), SystemClock::instance().now_us());
  if (!found.ok()) return found.error();
  regwatch::v1::SilenceList list;
  for (auto& s : *found) *list.add_silences() = std::move(s);
  return list;
}

Result<regwatch::v1::Silence> QueryService::write_silence(regwatch::v1::Silence silence,
                                                          const std::string& identity) {
  const int64_t now = SystemClock::instance().now_us();
  // With tokens, the author is who the token says, not who the client claims to be.
  if (!identity.empty()) silence.set_author(identity);
  const int64_t starts = silence.starts_us() == 0 ? now : silence.starts_us();
  const int64_t max_us = int64_t{max_silence_s_} * 1'000'000;
  if (silence.ends_us() - starts > max_us) {
    return make_error("bad_query",
                      "a silence may last at most " + as_duration(max_silence_s_) +
                          " (silences.max_duration_s = " + std::to_string(max_silence_s_) +
                          " on the collector); this one would last " +
                          as_duration((silence.ends_us() - starts) / 1'000'000));
  }
  std::lock_guard lock(silences_mutex_);
  auto made = silences_->create(std::move(silence), now, alert_labels_);
  if (made.ok()) {
    component_logger("alerts")->info("silence {} created by {} until {}: {}", made->id(),
                                     made->author(), made->ends_us(), made->comment());
  }
  return made;
}

Result<regwatch::v1::Silence> QueryService::write_expiry(const regwatch::v1::SilenceId& id,
                                                         const std::string& identity) {
  std::lock_guard lock(silences_mutex_);
  auto expired = silences_->expire(id.id(), SystemClock::instance().now_us());
  if (expired.ok() && !identity.empty())
    component_logger("alerts")->info("silence {} expired by {}", expired->id(), identity);
  return expired;
}

// gRPC: each RPC checks access, then runs its read on a worker.

grpc::ServerUnaryReactor* QueryService::Events(grpc::CallbackServerContext* context,
                                               const regwatch::v1::EventQuery* request,
                                               regwatch::v1::EventList* response) {
  return answer(context, response,
                [request](Readers& readers) { return readers.events->query(*request); });
}

grpc::ServerUnaryReactor* QueryService::Status(grpc::CallbackServerContext* context,
                                               const regwatch::v1::StatusRequest* /*request*/,
                                               regwatch::v1::StatusReply* response) {
  // Known out of reach: answered here, from memory, without a worker (they may all be waiting
  // on the store). Only after the access check, as every query.
  if (std::string why = known_unreachable(); !why.empty()) {
    auto* reactor = context->DefaultReactor();
    std::string identity;
    if (auto allowed = policy_.check_query(*context, QueryAccess::kRead, identity); !allowed.ok()) {
      reactor->Finish(allowed);
      return reactor;
    }
    *response = memory_status(std::move(why));
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  return answer(context, response, [this](Readers& readers) { return read_status(readers); });
}

grpc::ServerUnaryReactor* QueryService::Incidents(grpc::CallbackServerContext* context,
                                                  const regwatch::v1::IncidentQuery* request,
                                                  regwatch::v1::IncidentList* response) {
  return answer(context, response,
                [request](Readers& readers) { return readers.incidents->incidents(*request); });
}

grpc::ServerUnaryReactor* QueryService::Alerts(grpc::CallbackServerContext* context,
                                               const regwatch::v1::AlertQuery* request,
                                               regwatch::v1::AlertList* response) {
  return answer(context, response,
                [request](Readers& readers) { return readers.alerts->alerts(*request); });
}

grpc::ServerUnaryReactor* QueryService::Top(grpc::CallbackServerContext* context,
                                            const regwatch::v1::TopQuery* request,
                                            regwatch::v1::TopReply* response) {
  return answer(context, response, [this, request](Readers& readers) {
    return read_top(*readers.events, *request, drop_rule_);
  });
}

grpc::ServerUnaryReactor* QueryService::Explain(grpc::CallbackServerContext* context,
                                                const regwatch::v1::ExplainQuery* request,
                                                regwatch::v1::ExplainReply* response) {
  return answer(context, response, [this, request](Readers& readers) {
    return explain_phone(*readers.events, *readers.incidents, *request, drop_rule_,
                         SystemClock::instance().now_us());
  });
}

grpc::ServerUnaryReactor* QueryService::IncidentView(grpc::CallbackServerContext* context,
                                                     const regwatch::v1::IncidentViewQuery* request,
                                                     regwatch::v1::IncidentView* response) {
  return answer(context, response, [request](Readers& readers) {
    return ::regwatch::collector::query::incident_view(*readers.events, *readers.incidents,
                                                       *request);
  });
}

grpc::ServerUnaryReactor* QueryService::Drops(grpc::CallbackServerContext* context,
                                              const regwatch::v1::DropSeriesQuery* request,
                                              regwatch::v1::DropSeries* response) {
  return answer(context, response, [this, request](Readers& readers) {
    return read_drop_series(*readers.events, *request, drop_rule_,
                            SystemClock::instance().now_us());
  });
}

grpc::ServerUnaryReactor* QueryService::CmNodes(grpc::CallbackServerContext* context,
                                                const regwatch::v1::CmNodesQuery* request,
                                                regwatch::v1::CmNodeList* response) {
  return answer(context, response, [request](Readers& readers) {
    return read_cm_nodes(*readers.events, *request, SystemClock::instance().now_us());
  });
}

grpc::ServerUnaryReactor* QueryService::Inputs(grpc::CallbackServerContext* context,
                                               const regwatch::v1::InputsQuery* request,
                                               regwatch::v1::InputList* response) {
  return answer(context, response, [request](Readers& readers) {
    return read_inputs(*readers.events, *request, SystemClock::instance().now_us());
  });
}

grpc::ServerUnaryReactor* QueryService::FindPhones(grpc::CallbackServerContext* context,
                                                   const regwatch::v1::PhoneSearch* request,
                                                   regwatch::v1::PhoneList* response) {
  return answer(context, response,
                [request](Readers& readers) { return search_phones(*readers.events, *request); });
}

grpc::ServerUnaryReactor* QueryService::Silences(grpc::CallbackServerContext* context,
                                                 const regwatch::v1::SilenceQuery* request,
                                                 regwatch::v1::SilenceList* response) {
  return answer(context, response, [this, request](Readers&) { return read_silences(*request); });
}

grpc::ServerUnaryReactor* QueryService::CreateSilence(grpc::CallbackServerContext* context,
                                                      const regwatch::v1::Silence* request,
                                                      regwatch::v1::Silence* response) {
  return answer(
      context, response,
      [this, request](Readers&, const std::string& identity) {
        return write_silence(*request, identity);
      },
      QueryAccess::kSilence);
}

grpc::ServerUnaryReactor* QueryService::ExpireSilence(grpc::CallbackServerContext* context,
                                                      const regwatch::v1::SilenceId* request,
                                                      regwatch::v1::Silence* response) {
  return answer(
      context, response,
      [this, request](Readers&, const std::string& identity) {
        return write_expiry(*request, identity);
      },
      QueryAccess::kSilence);
}

// The same questions for the HTTP API.

Result<regwatch::v1::EventList> QueryService::events(const regwatch::v1::EventQuery& query) {
  return call<regwatch::v1::EventList>(
      [&query](Readers& readers) { return readers.events->query(query); });
}

Result<regwatch::v1::StatusReply> QueryService::status() {
  if (std::string why = known_unreachable(); !why.empty()) return memory_status(std::move(why));
  return call<regwatch::v1::StatusReply>([this](Readers& readers) { return read_status(readers); });
}

Result<regwatch::v1::IncidentList> QueryService::incidents(
    const regwatch::v1::IncidentQuery& query) {
  return call<regwatch::v1::IncidentList>(
      [&query](Readers& readers) { return readers.incidents->incidents(query); });
}

Result<regwatch::v1::AlertList> QueryService::alerts(const regwatch::v1::AlertQuery& query) {
  return call<regwatch::v1::AlertList>(
      [&query](Readers& readers) { return readers.alerts->alerts(query); });
}

Result<regwatch::v1::TopReply> QueryService::top(const regwatch::v1::TopQuery& query) {
  return call<regwatch::v1::TopReply>(
      [this, &query](Readers& readers) { return read_top(*readers.events, query, drop_rule_); });
}

Result<regwatch::v1::ExplainReply> QueryService::explain(const regwatch::v1::ExplainQuery& query) {
  return call<regwatch::v1::ExplainReply>([this, &query](Readers& readers) {
    return explain_phone(*readers.events, *readers.incidents, query, drop_rule_,
                         SystemClock::instance().now_us());
  });
}

Result<regwatch::v1::IncidentView> QueryService::incident_view(
    const regwatch::v1::IncidentViewQuery& query) {
  return call<regwatch::v1::IncidentView>([&query](Readers& readers) {
    return ::regwatch::collector::query::incident_view(*readers.events, *readers.incidents, query);
  });
}

Result<regwatch::v1::DropSeries> QueryService::drops(const regwatch::v1::DropSeriesQuery& query) {
  return call<regwatch::v1::DropSeries>([this, &query](Readers& readers) {
    return read_drop_series(*readers.events, query, drop_rule_, SystemClock::instance().now_us());
  });
}

Result<regwatch::v1::CmNodeList> QueryService::cm_nodes(const regwatch::v1::CmNodesQuery& query) {
  return call<regwatch::v1::CmNodeList>([&query](Readers& readers) {
    return read_cm_nodes(*readers.events, query, SystemClock::instance().now_us());
  });
}

Result<regwatch::v1::InputList> QueryService::inputs(const regwatch::v1::InputsQuery& query) {
  return call<regwatch::v1::InputList>([&query](Readers& readers) {
    return read_inputs(*readers.events, query, SystemClock::instance().now_us());
  });
}

Result<regwatch::v1::PhoneList> QueryService::find_phones(const regwatch::v1::PhoneSearch& query) {
  return call<regwatch::v1::PhoneList>(
      [&query](Readers& readers) { return search_phones(*readers.events, query); });
}

Result<regwatch::v1::SilenceList> QueryService::silences(const regwatch::v1::SilenceQuery& query) {
  return call<regwatch::v1::SilenceList>([this, &query](Readers&) { return read_silences(query); });
}

Result<regwatch::v1::Silence> QueryService::create_silence(const regwatch::v1::Silence& silence,
                                                           const std::string& identity) {
  return call<regwatch::v1::Silence>(
      [this, &silence, &identity](Readers&) { return write_silence(silence, identity); });
}

Result<regwatch::v1::Silence> QueryService::expire_silence(const regwatch::v1::SilenceId& id,
                                                           const std::string& identity) {
  return call<regwatch::v1::Silence>(
      [this, &id, &identity](Readers&) { return write_expiry(id, identity); });
}

}  // namespace regwatch::collector::query
