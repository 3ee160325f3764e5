#include "collector/app/collector_reload.h"

namespace regwatch::collector {
namespace {

// Keeps running's value of a start-only key in `effective`, naming it when `next` differs.
template <typename T>
void keep(const char* key, const T& running, T& effective, std::vector<std::string>& changed) {
  if (effective == running) return;
  changed.emplace_back(key);
  effective = running;
}

}  // namespace

CollectorReloadPlan plan_collector_reload(const CollectorConfig& running,
                                          const CollectorConfig& next) {
  CollectorReloadPlan plan;
  plan.effective = next;
  CollectorConfig& e = plan.effective;
  auto& changed = plan.needs_restart;
  keep("listen", running.listen, e.listen, changed);
  keep("db", running.db, e.db, changed);
  keep("retention_days", running.retention_days, e.retention_days, changed);
  keep("tls_cert_file", running.tls_cert_file, e.tls_cert_file, changed);
  keep("tls_key_file", running.tls_key_file, e.tls_key_file, changed);
  keep("tls_client_ca_file", running.tls_client_ca_file, e.tls_client_ca_file, changed);
  keep("allow_anonymous", running.allow_anonymous, e.allow_anonymous, changed);
  keep("client_certificates.identity", running.client_certificates.identity,
       e.client_certificates.identity, changed);
  keep("silences.max_duration_s", running.silences.max_duration_s, e.silences.max_duration_s,
       changed);
  keep("ingest.max_message_bytes", running.ingest.max_message_bytes, e.ingest.max_message_bytes,
       changed);
  keep("ingest.max_streams_per_identity", running.ingest.max_streams_per_identity,
       e.ingest.max_streams_per_identity, changed);
  keep("ingest.pending_bytes_budget", running.ingest.pending_bytes_budget,
       e.ingest.pending_bytes_budget, changed);
  keep("max_pending_batches_per_stream", running.max_pending_batches_per_stream,
       e.max_pending_batches_per_stream, changed);
  keep("query_threads", running.query_threads, e.query_threads, changed);
  keep("http.listen", running.http.listen, e.http.listen, changed);
  keep("http.tls_cert_file", running.http.tls_cert_file, e.http.tls_cert_file, changed);
  keep("http.tls_key_file", running.http.tls_key_file, e.http.tls_key_file, changed);
  keep("http.metrics_require_token", running.http.metrics_require_token,
       e.http.metrics_require_token, changed);
  keep("correlation.merge_s", running.correlation.merge_s, e.correlation.merge_s, changed);

  plan.access = e.tokens != running.tokens || e.access_tokens != running.access_tokens ||
                e.client_certificates.agents != running.client_certificates.agents;
  plan.correlation = e.correlation != running.correlation;
  plan.alerting =
      e.alerting != running.alerting || e.http.external_url != running.http.external_url;
  plan.log_level = e.log_level != running.log_level || e.log_format != running.log_format;
  return plan;
}

}  // namespace regwatch::collector
