#include "common/metrics/metrics_listen.h"

namespace regwatch::metrics {

Result<Endpoint> check_metrics_listen(const MetricsListen& settings) {
  auto endpoint = parse_endpoint(settings.listen);
  if (!endpoint.ok()) {
    return make_error("bad_listen", "'" + settings.listen + "': " + endpoint.error().message);
  }
  if (settings.tls_cert.empty() != settings.tls_key.empty()) {
    return make_error("tls_pair", "tls_cert and tls_key go together: set both");
  }
  if (settings.tls_cert.empty() && !is_loopback_host(endpoint->host)) {
    return make_error("plaintext_not_loopback",
                      "'" + settings.listen +
                          "' is not a loopback address: plaintext /metrics is served only on "
                          "127.0.0.1, ::1 or localhost; set tls_cert and tls_key to serve it "
                          "with TLS elsewhere");
  }
  return endpoint;
}

}  // namespace regwatch::metrics
