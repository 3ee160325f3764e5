#include "collector/app/collector_reload.h"

#include "common/start_only_key.h"

namespace regwatch::collector {
using config::keep_start_only;

CollectorReloadPlan plan_collector_reload(const CollectorConfig& running,
                                          const CollectorConfig& next) {
  CollectorReloadPlan plan;
  plan.effective = next;
  CollectorConfig& e = plan.effective;
  auto& changed = plan.needs_restart;
  keep_start_only("listen", running.listen, e.listen, changed);
  keep_start_only("db", running.db, e.db, changed);
  keep_start_only("retention_days", running.retention_days, e.retention_days, changed);
  keep_start_only("tls_cert_file", running.tls_cert_file, e.tls_cert_file, changed);
  keep_start_only("tls_key_file", running.tls_key_file, e.tls_key_file, changed);
  keep_start_only("tls_client_ca_file", running.tls_client_ca_file, e.tls_client_ca_file, changed);
  keep_start_only("allow_anonymous", running.allow_anonymous, e.allow_anonymous, changed);
  keep_start_only("client_certificates.identity", running.client_certificates.identity,
                  e.client_certificates.identity, changed);
  keep_start_only("silences.max_duration_s", running.silences.max_duration_s,
                  e.silences.max_duration_s, changed);
  keep_start_only("ingest.max_message_bytes", running.ingest.max_message_bytes,
                  e.ingest.max_message_bytes, changed);
  keep_start_only("ingest.max_streams_per_identity", running.ingest.max_streams_per_identity,
                  e.ingest.max_streams_per_identity, changed);
  keep_start_only("ingest.pending_bytes_budget", running.ingest.pending_bytes_budget,
                  e.ingest.pending_bytes_budget, changed);
  keep_start_only("max_pending_batches_per_stream", running.max_pending_batches_per_stream,
                  e.max_pending_batches_per_stream, changed);
  keep_start_only("query_threads", running.query_threads, e.query_threads, changed);
  keep_start_only("http.listen", running.http.listen, e.http.listen, changed);
  keep_start_only("http.tls_cert_file", running.http.tls_cert_file, e.http.tls_cert_file, changed);
  keep_start_only("http.tls_key_file", running.http.tls_key_file, e.http.tls_key_file, changed);
  keep_start_only("http.metrics_require_token", running.http.metrics_require_token,
                  e.http.metrics_require_token, changed);
  keep_start_only("correlation.merge_s", running.correlation.merge_s, e.correlation.merge_s,
                  changed);

  plan.access = e.tokens != running.tokens || e.access_tokens != running.access_tokens ||
                e.client_certificates.agents != running.client_certificates.agents;
  plan.correlation = e.correlation != running.correlation;
  plan.alerting =
      e.alerting != running.alerting || e.http.external_url != running.http.external_url;
  plan.log_level = e.log_level != running.log_level || e.log_format != running.log_format;
  return plan;
}

}  // namespace regwatch::collector
