#pragma once
// Where a /metrics endpoint may listen: the same transport rule as gRPC. Plaintext only on a
// loopback address (metrics say which inputs and devices exist and how busy they are);
// anywhere else only with a TLS certificate and key. Pure: the config check and the server
// use the same words.
#include <string>

#include "common/net_address.h"
#include "common/result.h"

namespace regwatch::metrics {

struct MetricsListen {
  std::string listen;    // HOST:PORT; "" = no /metrics
  std::string tls_cert;  // PEM files; both or neither
  std::string tls_key;
};

// The endpoint to listen on, or why this setting cannot be served (code bad_listen,
// tls_pair or plaintext_not_loopback; the message does not name the config section, the
// caller does). Call only with a non-empty listen.
Result<Endpoint> check_metrics_listen(const MetricsListen& settings);

}  // namespace regwatch::metrics
