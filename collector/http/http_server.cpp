#include "collector/http/http_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <optional>

#include <nlohmann/json.hpp>

#include "collector/http/api_answers.h"
#include "collector/web/web_assets.h"
#include "common/bind_error.h"
#include "common/logging.h"
#include "common/net_address.h"
#include "common/time_format.h"

namespace regwatch::collector::http {
namespace {

// Each request holds one thread while it runs and each live stream holds one for as long as
// its page is open, so the pool is sized for a NOC's screens plus their queries, and streams
// beyond kMaxStreams are refused (503) rather than starving the API.
constexpr size_t kThreads = 48;
constexpr int kMaxStreams = 32;
// A silence is a few hundred bytes; nothing the API takes is bigger.
constexpr size_t kMaxBodyBytes = size_t{64} * 1024;
constexpr auto kStreamKeepAlive = std::chrono::seconds(15);

void send(httplib::Response& res, const ApiAnswer& answer) {
  res.status = answer.status;
  res.set_content(answer.body, answer.content_type.c_str());
}

// Releases a live stream's place when httplib drops its provider.
struct StreamSlot {
  explicit StreamSlot(std::atomic<int>& count) : count_(count) {}
  ~StreamSlot() { --count_; }
  StreamSlot(const StreamSlot&) = delete;
  StreamSlot& operator=(const StreamSlot&) = delete;

 private:
  std::atomic<int>& count_;
};

std::atomic<int> open_streams{0};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::start(const HttpOptions& options,
                                                      HttpSources sources) {
  auto endpoint = parse_endpoint(options.listen);
  if (!endpoint.ok()) return endpoint.error();
  std::unique_ptr<HttpServer> server(new HttpServer(std::move(sources)));
  if (options.tls_cert_file.empty()) {
    server->server_ = std::make_unique<httplib::Server>();
  } else {
    server->server_ = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                           options.tls_key_file.c_str());
  }
  if (!server->server_->is_valid()) {
    return make_error("http_tls", "cannot serve HTTPS with " + options.tls_cert_file + " and " +
                                      options.tls_key_file + " (not a certificate and its key?)");
  }
  // httplib owns the queue it is handed (its API takes a raw pointer).
  // NOLINTNEXTLINE(cppcoreguidelines-owning-memory)
  server->server_->new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server->server_->set_payload_max_length(kMaxBodyBytes);
  // httplib writes the headers and the body apart: with Nagle on, a small answer waited for the
  // client's delayed ACK (~40 ms each, measured by bench/http_api_bench).
  server->server_->set_tcp_nodelay(true);
  server->server_->set_read_timeout(std::chrono::seconds(10));
  server->server_->set_write_timeout(std::chrono::seconds(10));
  server->server_->set_default_headers({
      {"X-Content-Type-Options", "nosniff"},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'"},
  });
  server->add_routes(options);

  int port = endpoint->port;
  if (port == 0) {
    port = server->server_->bind_to_any_port(endpoint->host);
    if (port <= 0) port = 0;
  } else if (!server->server_->bind_to_port(endpoint->host, port)) {
    port = 0;
  }
  if (port == 0) {
    // cpp-httplib hides errno; the missing right is the reason we can tell apart.
    return make_error("http_listen", "cannot listen for HTTP on " + options.listen + ": " +
                                         privileged_port_refusal(endpoint->port)
                                             .value_or("address in use, or not an address of "
                                                       "this host?") +
                                         "; set http.listen (or --http), \"\" for no HTTP");
  }
  Endpoint bound = *endpoint;
  bound.port = static_cast<uint16_t>(port);
  server->url_ =
      std::string(options.tls_cert_file.empty() ? "http://" : "https://") + bound.to_string() + "/";
  server->thread_ = std::thread([raw = server->server_.get()] { raw->listen_after_bind(); });
  component_logger("http")->info(
      "serving the API and the dashboard at {} ({})", server->url_,
      options.tls_cert_file.empty() ? "plaintext, loopback only" : "TLS");
  return server;
}

HttpServer::HttpServer(HttpSources sources) : sources_(std::move(sources)) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::stop() {
  if (!server_) return;
  sources_.changes.stop();  // live streams end their responses instead of waiting 15 s
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

void HttpServer::add_routes(const HttpOptions& options) {
  auto& s = *server_;
  auto answers = std::make_shared<ApiAnswers>(sources_.queries, sources_.clock);
  const bool allow_anonymous = options.allow_anonymous;
  const AccessPolicy& policy = sources_.policy;
  // Who asks, or nullopt after answering 401 / 403.
  auto authorize = [&policy, allow_anonymous](const httplib::Request& req, httplib::Response& res,
                                              QueryAccess access) -> std::optional<std::string> {
    const bool anonymous_ok = allow_anonymous || is_loopback_host(req.remote_addr);
    auto who = policy.check_http(req.get_header_value("Authorization"), anonymous_ok, access);
    if (who.ok()) return *who;
    send(res, error_answer(who.error()));
    if (res.status == 401) res.set_header("WWW-Authenticate", "Bearer realm=\"regwatch\"");
    return std::nullopt;
  };
  // A read-only endpoint: checked for a viewer, then answered.
  auto read = [authorize](auto answer) {
    return [authorize, answer](const httplib::Request& req, httplib::Response& res) {
      if (!authorize(req, res, QueryAccess::kRead)) return;
      send(res, answer(req));
    };
  };

  s.Get("/api/v1/incidents",
        read([answers](const httplib::Request& req) { return answers->incidents(req.params); }));
  s.Get(R"(/api/v1/incidents/(.+))", read([answers](const httplib::Request& req) {
          return answers->incident(req.matches[1].str(), req.params);
        }));
  s.Get("/api/v1/events",
        read([answers](const httplib::Request& req) { return answers->events(req.params); }));
  s.Get(R"(/api/v1/phones/([^/]+))", read([answers](const httplib::Request& req) {
          return answers->phone(req.matches[1].str(), req.params);
        }));
  s.Get("/api/v1/phones",
        read([answers](const httplib::Request& req) { return answers->find_phones(req.params); }));
  s.Get("/api/v1/drops",
        read([answers](const httplib::Request& req) { return answers->drops(req.params); }));
  s.Get("/api/v1/cm_nodes",
        read([answers](const httplib::Request& req) { return answers->cm_nodes(req.params); }));
  s.Get("/api/v1/inputs",
        read([answers](const httplib::Request& req) { return answers->inputs(req.params); }));
  s.Get("/api/v1/top",
        read([answers](const httplib::Request& req) { return answers->top(req.params); }));
  s.Get("/api/v1/alerts",
        read([answers](const httplib::Request& req) { return answers->alerts(req.params); }));
  s.Get("/api/v1/silences",
        read([answers](const httplib::Request& req) { return answers->silences(req.params); }));
  s.Get("/api/v1/status",
        read([answers](const httplib::Request& req) { return answers->status(req.params); }));
  s.Post("/api/v1/silences",
         [authorize, answers](const httplib::Request& req, httplib::Response& res) {
           auto who = authorize(req, res, QueryAccess::kSilence);
           if (who) send(res, answers->create_silence(req.body, *who));
         });
  s.Delete(R"(/api/v1/silences/([^/]+))",
           [authorize, answers](const httplib::Request& req, httplib::Response& res) {
             auto who = authorize(req, res, QueryAccess::kSilence);
             if (who) send(res, answers->expire_silence(req.matches[1].str(), *who));
           });

  // The live stream: one event per change of the incidents (or condition alerts), a comment
  // every 15 s so proxies keep it open. `retry` tells EventSource clients how soon to reconnect.
  IncidentChanges& changes = sources_.changes;
  const Clock& clock = sources_.clock;
  s.Get("/api/v1/stream", [authorize, &changes, &clock](const httplib::Request& req,
                                                        httplib::Response& res) {
    if (!authorize(req, res, QueryAccess::kRead)) return;
    if (open_streams.fetch_add(1) >= kMaxStreams) {
      --open_streams;
      send(res, error_answer(503, "too many live streams open (" + std::to_string(kMaxStreams) +
                                      "); close a dashboard"));
      return;
    }
    auto slot = std::make_shared<StreamSlot>(open_streams);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream", [&changes, &clock, slot, seen = changes.version(), greeted = false](
                                 size_t, httplib::DataSink& sink) mutable {
          std::string message;
          if (!greeted) {
            greeted = true;
            message = "retry: 2000\nevent: hello\ndata: {}\n\n";
          } else {
            const uint64_t now = changes.wait_newer(seen, kStreamKeepAlive);
            if (changes.stopped()) {
              sink.done();
              return true;
            }
            if (now == seen) {
              message = ": keep-alive\n\n";
            } else {
              seen = now;
              message = "event: incidents\ndata: " +
                        nlohmann::json{{"changed", format_rfc3339_ms(clock.now_us())}}.dump() +
                        "\n\n";
            }
          }
          return sink.write(message.data(), message.size());
        });
  });

  // Prometheus and the probes.
  const bool metrics_need_token = options.metrics_require_token;
  auto open_or_viewer = [authorize, metrics_need_token](const httplib::Request& req,
                                                        httplib::Response& res) {
    return !metrics_need_token || authorize(req, res, QueryAccess::kRead).has_value();
  };
  auto metrics = sources_.metrics;
  s.Get("/metrics", [open_or_viewer, metrics](const httplib::Request& req, httplib::Response& res) {
    if (!open_or_viewer(req, res)) return;
    res.set_content(metrics ? metrics() : std::string(),
                    "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/-/healthy", [open_or_viewer](const httplib::Request& req, httplib::Response& res) {
    if (open_or_viewer(req, res)) res.set_content("regwatch-collector is healthy.\n", "text/plain");
  });
  s.Get("/-/ready", [open_or_viewer](const httplib::Request& req, httplib::Response& res) {
    if (open_or_viewer(req, res)) res.set_content("regwatch-collector is ready.\n", "text/plain");
  });

  // The dashboard's files and the OpenAPI document, from the binary.
  s.Get(R"(/(.*))", [](const httplib::Request& req, httplib::Response& res) {
    const std::string path = req.path == "/" ? "/index.html" : req.path;
    const web::WebAsset* asset = web::find_web_asset(path);
    if (!asset) {
      send(res, error_answer(404, "no such path: GET " + req.path +
                                      " (the API is under /api/v1/: see /api/v1/openapi.json)"));
      return;
    }
    // The page and its modules change with the binary: revalidate rather than cache stale.
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(asset->body), std::string(asset->content_type).c_str());
  });

  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      send(res, error_answer(404, "no such path: " + req.method + " " + req.path +
                                      " (the API is under /api/v1/: see /api/v1/openapi.json)"));
    } else if (res.status == 413) {
      send(res, error_answer(
                    413, "the request body is over " + std::to_string(kMaxBodyBytes) + " bytes"));
    } else {
      send(res, error_answer(res.status, "the request could not be served (HTTP " +
                                             std::to_string(res.status) + ")"));
    }
  });
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
        std::string what = "unknown error";
        try {
          std::rethrow_exception(std::move(error));
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        component_logger("http")->error("{} {}: {}", req.method, req.path, what);
        send(res, error_answer(500, "internal error: " + what));
      });
  s.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    component_logger("http")->debug("{} {} {} from {}", req.method, req.path, res.status,
                                    req.remote_addr);
  });
}

}  // namespace regwatch::collector::http
