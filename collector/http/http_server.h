#pragma once
// The collector's HTTP side (docs/http-api.md): the JSON API under /api/v1/, the live stream
// of incident changes, the dashboard's files, /metrics and the /-/healthy and /-/ready probes,
// served by cpp-httplib (docs/dependencies.md says why) on its own thread pool.
//
// Access: every /api/v1/ request is checked by AccessPolicy::check_http (tokens and roles as
// on gRPC; anonymous only from loopback, or with allow_anonymous, and only without tokens);
// /-/ready answers 200 as soon as the server does: it starts only after the store is open, its
// migrations done and the query workers running. /metrics and the probes are open unless
// metrics_require_token; the dashboard's files and the OpenAPI document are open (they hold no
// data: the page asks for a token when the API answers 401). Transport: plaintext only on a
// loopback address (collector_config checks it), TLS with the given certificate elsewhere.
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "collector/auth/access_policy.h"
#include "collector/http/incident_changes.h"
#include "collector/query/query_service.h"
#include "common/clock.h"
#include "common/result.h"

namespace httplib {
class Server;
}

namespace regwatch::collector::http {

struct HttpOptions {
  std::string listen;         // HOST:PORT; port 0 picks a free one
  std::string tls_cert_file;  // empty: plaintext (loopback only)
  std::string tls_key_file;
  bool metrics_require_token = false;
  bool allow_anonymous = false;  // the collector's: anonymous requests off loopback too
};

// What the server answers from; all outlive it.
struct HttpSources {
  query::QueryService& queries;
  const AccessPolicy& policy;
  IncidentChanges& changes;
  const Clock& clock;
  std::function<std::string()> metrics;  // the Prometheus exposition
};

class HttpServer {
 public:
  // Binds and starts serving, or says why it cannot (address in use, bad certificate).
  static Result<std::unique_ptr<HttpServer>> start(const HttpOptions& options, HttpSources sources);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // "http://127.0.0.1:7480/" (the port resolved), https:// with TLS.
  const std::string& url() const { return url_; }
  // Stops accepting, ends the live streams, and waits for requests in flight.
  void stop();

 private:
  explicit HttpServer(HttpSources sources);
  void add_routes(const HttpOptions& options);

  HttpSources sources_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string url_;
};

}  // namespace regwatch::collector::http
