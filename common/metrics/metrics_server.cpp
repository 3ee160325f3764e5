#include "common/metrics/metrics_server.h"

#include <httplib.h>

#include <chrono>

#include "common/bind_error.h"
#include "common/metrics/text_format.h"

namespace regwatch::metrics {

Result<std::unique_ptr<MetricsServer>> MetricsServer::start(const MetricsListen& settings,
                                                            Registry& registry) {
  auto endpoint = check_metrics_listen(settings);
  if (!endpoint.ok()) {
    return make_error(endpoint.error().code, "metrics: " + endpoint.error().message);
  }
  std::unique_ptr<MetricsServer> self(new MetricsServer);
  if (settings.tls_cert.empty()) {
    self->server_ = std::make_unique<httplib::Server>();
  } else {
    auto tls =
        std::make_unique<httplib::SSLServer>(settings.tls_cert.c_str(), settings.tls_key.c_str());
    if (!tls->is_valid()) {
      return make_error("tls", "metrics: cannot load the TLS certificate " + settings.tls_cert +
                                   " and key " + settings.tls_key);
    }
    self->server_ = std::move(tls);
  }
  // Scrapes are rare (every 15 s or so) and cheap: a few threads are plenty.
  // httplib takes ownership of the raw pointer its factory returns.
  self->server_->new_task_queue = [] {
    return new httplib::ThreadPool(2);  // NOLINT(cppcoreguidelines-owning-memory)
  };
  self->server_->Get("/metrics", [&registry](const httplib::Request&, httplib::Response& res) {
    res.set_content(registry.exposition(), std::string(kContentType));
  });
  if (endpoint->port == 0) {
    const int port = self->server_->bind_to_any_port(endpoint->host);
    if (port > 0) self->port_ = static_cast<uint16_t>(port);
  } else if (self->server_->bind_to_port(endpoint->host, endpoint->port)) {
    self->port_ = endpoint->port;
  }
  if (self->port_ == 0) {
    // cpp-httplib hides errno; the missing right is the reason we can tell apart.
    return make_error("listen", "metrics: cannot listen on " + settings.listen + ": " +
                                    privileged_port_refusal(endpoint->port)
                                        .value_or("in use, or not an address of this host"));
  }
  self->thread_ = std::thread([server = self->server_.get()] { server->listen_after_bind(); });
  // httplib's stop() does nothing until the accept loop runs: wait for it, so that a stop()
  // right after start() cannot leave the thread accepting forever.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!self->server_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return self;
}

MetricsServer::~MetricsServer() {
  stop();
}

void MetricsServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace regwatch::metrics
