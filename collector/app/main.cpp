// regwatch-collector: receives agents' event streams, stores them exactly once
// in SQLite, and answers the regwatch CLI's queries.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>

#include "collector/app/collector_config.h"
#include "collector/app/collector_server.h"
#include "collector/app/migrate_command.h"
#include "common/build_version.h"
#include "common/clock.h"
#include "common/config_stamp.h"
#include "common/logging.h"
#include "common/service_notify.h"
#include "common/signals.h"

namespace {

constexpr int kExitUsage = 1;
constexpr int kExitStartFailed = 2;

using regwatch::collector::CollectorServer;

// The file's SHA-256 beside the time, for `regwatch status` (no file: defaults and flags).
void record_config_loaded(CollectorServer& server, const std::string& file) {
  std::string sha256;
  if (!file.empty()) {
    auto hashed = regwatch::config::file_sha256_hex(file);
    sha256 = hashed.ok() ? *hashed : std::string();
  }
  server.config_stamp().loaded(file, sha256, regwatch::SystemClock::instance().now_us());
}

void reload_collector(CollectorServer& server, const regwatch::collector::CollectorConfig& next,
                      const regwatch::config::ConfigErrors& errors, const std::string& file) {
  auto log = regwatch::component_logger("collector");
  const int64_t now = regwatch::SystemClock::instance().now_us();
  log->info("SIGHUP: reloading {}", file.empty() ? "(no config file: flags only)" : file);
  if (!errors.empty()) {
    const std::string problems = errors.format(file);
    log->error("reload refused, running config kept; {} {}:\n{}", errors.size(),
               errors.size() == 1 ? "problem" : "problems", problems);
    server.config_stamp().reload_refused(problems, now);
    return;
  }
  auto plan = server.reload(next);
  if (!plan.ok()) {
    log->error("reload partly refused, alerting config before kept: {}", plan.error().message);
    server.config_stamp().reload_refused(plan.error().message, now);
    return;
  }
  std::string applied;
  for (const auto& [on, what] : {std::pair{plan->access, "tokens and grants"},
                                 std::pair{plan->correlation, "correlation thresholds"},
                                 std::pair{plan->alerting, "alerting (receivers, routes, rules)"},
                                 std::pair{plan->log_level, "log level"}}) {
    if (on) applied += (applied.empty() ? "" : ", ") + std::string(what);
  }
  log->info("reload done: {}", applied.empty() ? "nothing changed" : "applied " + applied);
  if (!plan->needs_restart.empty()) {
    std::string keys;
    for (const auto& key : plan->needs_restart) keys += (keys.empty() ? "" : ", ") + key;
    log->warn(
        "reload: {} changed but {} read only at start: restart to apply (running on the "
        "values before)",
        keys, plan->needs_restart.size() == 1 ? "is" : "are");
  }
  record_config_loaded(server, file);
  server.config_stamp().needs_restart(plan->needs_restart);
}

int run_collector(int argc, char** argv) {
  using regwatch::collector::CollectorConfig;
  CLI::App app{
      "regwatch-collector: stores the events regwatch agents stream to it (exactly once, in "
      "SQLite or PostgreSQL)\n"
      "and answers queries from the regwatch CLI.\n\n"
      "Examples:\n"
      "  regwatch-collector --db /var/lib/regwatch/collector/regwatch.db\n"
      "  regwatch-collector --config /etc/regwatch/collector.yaml\n"
      "  regwatch-collector --print-default-config > collector.yaml\n"
      "  regwatch-collector --config /etc/regwatch/collector.yaml --check-config\n"
      "      every problem start-up would refuse, each with its line; exit 1 if any\n"
      "  regwatch-collector migrate --from sqlite:/var/lib/regwatch/collector/regwatch.db \\\n"
      "      --to postgresql://regwatch@db1.example/regwatch\n"
      "      copy a site's history into PostgreSQL (docs/postgresql.md)\n"};
  app.set_version_flag("--version", regwatch::version_line("regwatch-collector"));
  std::string config_file;
  bool print_default = false;
  std::string listen, db, tls_cert, tls_key, tls_client_ca, log_level;
  int64_t retention_days = -1;
  app.add_option("--config", config_file, "YAML config file (see --print-default-config)")
      ->check(CLI::ExistingFile);
  app.add_flag("--print-default-config", print_default, "print the default config and exit");
  bool check_config = false;
  app.add_flag("--check-config", check_config,
               "check the config (file and flags) as start-up does, report every problem with its "
               "line, and exit: 0 valid, 1 not");
  app.add_option("--listen", listen, "HOST:PORT for agents and queries (default 127.0.0.1:7443)");
  app.add_option("--db", db,
                 "SQLite database file (created if missing) or postgresql://user@host/dbname");
  app.add_option("--retention-days", retention_days,
                 "keep events this many days after storing; 0 = forever");
  app.add_option("--tls-cert", tls_cert, "server certificate (PEM); required off loopback");
  app.add_option("--tls-key", tls_key, "server private key (PEM)");
  app.add_option("--tls-client-ca", tls_client_ca, "CA for agent certificates: turns on mTLS");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error");
  std::string log_format;
  app.add_option("--log-format", log_format,
                 "text (default), json or logfmt: one object or key=value line per log line");
  std::optional<std::string> http_listen;
  app.add_option("--http", http_listen,
                 "HOST:PORT for the dashboard, the JSON API and /metrics (default "
                 "127.0.0.1:7480; \"\" turns HTTP off; TLS off loopback, as for --listen)");
  regwatch::collector::MigrateOptions migrate_options;
  auto* migrate = app.add_subcommand(
      "migrate",
      "copy a store's whole history into another (SQLite into PostgreSQL), then check every "
      "table's row count; resumable: after an interruption run the same command again. Stop "
      "the collector on the source first.");
  migrate->add_option("--from", migrate_options.from, "sqlite:PATH (or PATH) or postgresql://...")
      ->required();
  migrate
      ->add_option("--to", migrate_options.to,
                   "postgresql://... (a new, empty database, or the one an interrupted copy "
                   "from the same source began)")
      ->required();
  migrate
      ->add_option("--chunk-rows", migrate_options.chunk_rows,
                   "events per transaction on the target (default 5000)")
      ->check(CLI::Range(1u, 1'000'000u));
  CLI11_PARSE(app, argc, argv);

  if (migrate->parsed()) return regwatch::collector::run_migrate(migrate_options);
  if (print_default) {
    std::cout << regwatch::collector::default_collector_config_yaml();
    return 0;
  }
  // --check-config, a real start and a reload (SIGHUP) run the same steps
  // (collector_config.h), so they refuse the same configs with the same words. Flags override
  // the file, at start and at every reload.
  const auto read_config = [&](CollectorConfig& config, regwatch::config::ConfigErrors& errors,
                               bool exposure_is_error, regwatch::config::ConfigErrors& exposure) {
    if (!config_file.empty())
      regwatch::collector::read_collector_config_file(config_file, config, errors);
    if (!listen.empty()) config.listen = listen;
    if (!db.empty()) config.db = db;
    if (retention_days >= 0) config.retention_days = static_cast<uint32_t>(retention_days);
    if (!tls_cert.empty()) config.tls_cert_file = tls_cert;
    if (!tls_key.empty()) config.tls_key_file = tls_key;
    if (!tls_client_ca.empty()) config.tls_client_ca_file = tls_client_ca;
    if (!log_level.empty()) config.log_level = log_level;
    if (!log_format.empty()) config.log_format = log_format;
    if (http_listen) config.http.listen = *http_listen;
    regwatch::collector::check_collector_config(config, errors);
    // A config that is valid but would let anyone in is refused at start (exit 2, below);
    // --check-config reports it with the rest.
    regwatch::collector::check_collector_exposure(config, exposure_is_error ? errors : exposure);
  };
  CollectorConfig config;
  regwatch::config::ConfigErrors errors;
  regwatch::config::ConfigErrors exposure;
  read_config(config, errors, check_config, exposure);
  if (!errors.empty()) {
    std::cerr << "regwatch-collector: invalid configuration (" << errors.size()
              << (errors.size() == 1 ? " problem" : " problems") << "):\n"
              << errors.format(config_file);
    return kExitUsage;
  }
  if (check_config) {
    std::cout << "configuration is valid\n";
    return 0;
  }
  if (!exposure.empty()) {
    std::cerr << "regwatch-collector: refusing to start:\n" << exposure.format(config_file);
    return kExitStartFailed;
  }
  // Both checked above.
  regwatch::set_log_level(config.log_level);
  regwatch::set_log_format(*regwatch::parse_log_format(config.log_format));

  regwatch::block_daemon_signals();
  auto server =
      regwatch::collector::CollectorServer::start(config, regwatch::SystemClock::instance());
  if (!server.ok()) {
    std::cerr << "regwatch-collector: cannot start: " << server.error().message << "\n";
    return kExitStartFailed;
  }
  // Tests and scripts read this line to learn the bound port.
  std::printf("regwatch-collector listening on %s\n", (*server)->listening_on().c_str());
  if (const std::string url = (*server)->http_url(); !url.empty())
    std::printf("regwatch-collector dashboard and API at %s\n", url.c_str());
  std::fflush(stdout);
  auto* running = server->get();
  record_config_loaded(*running, config_file);
  // Listening: a Type=notify unit's start is done (no-op outside systemd).
  regwatch::service::notify_status("listening on " + running->listening_on());
  regwatch::service::notify_ready();
  const regwatch::service::WatchdogPinger watchdog;  // WatchdogSec: a hung collector is restarted
  regwatch::SignalWatcher watcher(
      [running](int signal) {
        regwatch::component_logger("collector")->info("signal {}: shutting down", signal);
        regwatch::service::notify_stopping();
        running->shutdown();
      },
      [&] {
        // A reload is checked as a start is (exposure included); an invalid config is refused
        // with every problem logged, and the running one kept.
        regwatch::service::notify_reloading();
        CollectorConfig next;
        regwatch::config::ConfigErrors reload_errors;
        read_config(next, reload_errors, true, reload_errors);
        reload_collector(*running, next, reload_errors, config_file);
        regwatch::service::notify_ready();  // a refused config leaves the running one: ready
      });
  running->wait();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Nothing is meant to throw past here; if something does (out of memory, a library's
  // exception), say so and exit as a failed start rather than std::terminate's abort.
  try {
    return run_collector(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "regwatch-collector: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "regwatch-collector: an unknown exception\n";
  }
  return kExitStartFailed;
}
