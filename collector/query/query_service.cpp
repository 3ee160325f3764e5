#include "collector/query/query_service.h"

#include "common/logging.h"

namespace regwatch::collector::query {
namespace {

constexpr size_t kMaxQueuedQueries = 256;

grpc::Status to_grpc(const Error& error) {
  const auto code = error.code == "bad_query" || error.code == "unknown_kind"
                        ? grpc::StatusCode::INVALID_ARGUMENT
                        : grpc::StatusCode::INTERNAL;
  return {code, error.message};
}

}  // namespace

Result<std::unique_ptr<QueryService>> QueryService::create(const std::string& db_path,
                                                           uint32_t threads,
                                                           const AccessPolicy& policy) {
  std::unique_ptr<QueryService> service(new QueryService(policy));
  for (uint32_t i = 0; i < threads; ++i) {
    auto reader = store::EventReader::open(db_path);
    if (!reader.ok()) return reader.error();
    service->workers_.emplace_back(
        [raw = service.get(), r = std::move(reader).value()]() mutable { raw->work(std::move(r)); });
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

void QueryService::work(std::unique_ptr<store::EventReader> reader) {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job(*reader);
  }
}

grpc::ServerUnaryReactor* QueryService::Events(grpc::CallbackServerContext* context,
                                               const regwatch::v1::EventQuery* request,
                                               regwatch::v1::EventList* response) {
  auto* reactor = context->DefaultReactor();
  if (auto access = policy_.check_query(*context); !access.ok()) {
    reactor->Finish(access);
    return reactor;
  }
  bool queued = enqueue([reactor, request, response](store::EventReader& reader) {
    auto result = reader.query(*request);
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

grpc::ServerUnaryReactor* QueryService::Status(grpc::CallbackServerContext* context,
                                               const regwatch::v1::StatusRequest* /*request*/,
                                               regwatch::v1::StatusReply* response) {
  auto* reactor = context->DefaultReactor();
  if (auto access = policy_.check_query(*context); !access.ok()) {
    reactor->Finish(access);
    return reactor;
  }
  bool queued = enqueue([reactor, response](store::EventReader& reader) {
    auto result = reader.status();
    if (!result.ok()) {
      reactor->Finish(to_grpc(result.error()));
      return;
    }
    *response = std::move(result).value();
    response->set_version(REGWATCH_VERSION);
    reactor->Finish(grpc::Status::OK);
  });
  if (!queued) reactor->Finish({grpc::StatusCode::RESOURCE_EXHAUSTED, "too many queries queued"});
  return reactor;
}

grpc::ServerUnaryReactor* QueryService::Incidents(grpc::CallbackServerContext* context,
                                                  const regwatch::v1::IncidentQuery* request,
                                                  regwatch::v1::IncidentList* response) {
  auto* reactor = context->DefaultReactor();
  if (auto access = policy_.check_query(*context); !access.ok()) {
    reactor->Finish(access);
    return reactor;
  }
  bool queued = enqueue([reactor, request, response](store::EventReader& reader) {
    auto result = reader.incidents(*request);
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

}  // namespace regwatch::collector::query
