#pragma once
// Serves GET /metrics (a Registry's exposition) over HTTP, or HTTPS when a certificate is
// given, on a thread of its own, with cpp-httplib. Used by the agent; the collector serves
// /metrics from its own HTTP API server instead.
//
// Threads: start() and stop() from one owning thread; scrapes run on httplib's threads.
#include <memory>
#include <thread>

#include "common/metrics/metrics_listen.h"
#include "common/metrics/registry.h"
#include "common/result.h"

namespace httplib {
class Server;
}

namespace regwatch::metrics {

class MetricsServer {
 public:
  // Checks the settings (metrics_listen.h), binds (port 0: any free port, see port()) and
  // starts serving; an error says why not (refused setting, address in use, bad PEM).
  static Result<std::unique_ptr<MetricsServer>> start(const MetricsListen& settings,
                                                      Registry& registry);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  uint16_t port() const { return port_; }
  void stop();

 private:
  MetricsServer() = default;

  std::unique_ptr<httplib::Server> server_;
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace regwatch::metrics
