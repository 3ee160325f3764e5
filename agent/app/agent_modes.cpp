#include "agent/app/agent_modes.h"

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "agent/app/agent_metrics.h"
#include "agent/app/agent_reload.h"
#include "agent/app/collector_channel.h"
#include "agent/app/drop_reporter.h"
#include "agent/app/duplicate_drop_marker.h"
#include "agent/app/line_pipeline.h"
#include "agent/app/live_capture.h"
#include "agent/app/pcap_replay.h"
#include "agent/app/replay_identity.h"
#include "agent/app/replay_input.h"
#include "agent/app/replay_outcome.h"
#include "agent/app/snmp_setup.h"
#include "agent/app/syslog_replay.h"
#include "agent/shipper/shipper.h"
#include "agent/snmp/interface_directory.h"
#include "agent/snmp/trap_receiver.h"
#include "agent/snmp/trap_sender_names.h"
#include "agent/spool/spool.h"
#include "agent/syslog/syslog_listener.h"
#include "common/clock.h"
#include "common/config_stamp.h"
#include "common/logging.h"
#include "common/metrics/build_info.h"
#include "common/metrics/metrics_server.h"
#include "common/net_address.h"
#include "common/service_notify.h"
#include "common/signals.h"
#include "common/yaml_config.h"

namespace regwatch::agent {
namespace {

struct Core {
  std::unique_ptr<spool::Spool> spool;
  std::unique_ptr<shipper::Shipper> shipper;
};

// incarnation: what a spool this creates is called ("" = a random incarnation).
Result<Core> start_core(const AgentConfig& config, const std::string& incarnation = {}) {
  spool::SpoolOptions options;
  options.dir = config.spool.dir;
  options.incarnation_if_created = incarnation;
  options.max_bytes = *config::parse_size(config.spool.max_size);  // validated before
  options.policy = *spool::parse_drop_policy(config.spool.drop_policy);
  options.fsync_interval = std::chrono::milliseconds(config.spool.fsync_interval_ms);
  auto opened = spool::Spool::open(options, config.agent_id, SystemClock::instance());
  if (!opened.ok()) return opened.error();
  auto shipper_options = make_shipper_options(config);
  if (!shipper_options.ok()) return shipper_options.error();
  Core core;
  core.spool = std::move(opened).value();
  core.shipper =
      std::make_unique<shipper::Shipper>(*core.spool, std::move(shipper_options).value());
  core.shipper->start();
  return core;
}

// Marks a drop another input already reported, then spools the event; false if
// the spool dropped it.
bool to_spool(spool::Spool& spool, DuplicateDropMarker& duplicates, regwatch::v1::Event event) {
  duplicates.mark(event);
  return spool.append(std::move(event));
}

std::string summarise_kinds(const PipelineCounts& counts) {
  std::ostringstream out;
  bool first = true;
  for (const auto& [kind, n] : counts.by_kind) {
    out << (first ? "" : ", ") << kind << " " << n;
    first = false;
  }
  return out.str();
}

// A receive buffer smaller than asked (net.core.rmem_max) drops bursts sooner: say so.
void log_receive_buffer(const char* input, uint32_t asked, uint32_t granted) {
  auto log = component_logger("agent");
  if (granted >= asked) {
    log->info("{} receive buffer: {} bytes", input, granted);
  } else {
    log->warn(
        "{} receive buffer: asked for {} bytes, the kernel granted {} (net.core.rmem_max caps it; "
        "raise it, see docs/device-setup.md)",
        input, asked, granted);
  }
}

// spoofed: syslog lines and traps flagged by the sender list (OriginSenders).
void log_counts(const PipelineCounts& counts, uint64_t spoofed,
                const spool::SpoolStats& spool_stats, const shipper::ShipperStats& ship) {
  component_logger("agent")->info(
      "lines {} events {} unrecognised {} anomalies {} spoofed {} | spool last seq {} acked {} "
      "dropped {} | collector {}",
      counts.lines, counts.events, counts.unrecognised, counts.with_anomalies, spoofed,
      spool_stats.last_seq, spool_stats.acked_seq, spool_stats.dropped_total,
      ship.connected ? "connected" : (ship.last_error.empty() ? "connecting" : ship.last_error));
}

// The syslog TCP connection counters, beside the minute's counts line.
void log_tcp_counts(const syslog::ListenerStats& stats) {
  component_logger("agent")->info(
      "syslog tcp: open {} accepted {} | rejected full {} per source {} | evicted idle {} | idle "
      "closed {} (before a first line {})",
      stats.tcp_open_connections, stats.tcp_connections, stats.rejected_connections,
      stats.rejected_per_source, stats.evicted_idle, stats.idle_closed, stats.first_line_timeouts);
}

}  // namespace

int run_replay(const AgentConfig& configured, const ReplayRequest& request) {
  const int timeout_seconds = request.timeout_seconds;
  block_daemon_signals();
  std::vector<std::string> given = request.syslog_files;
  given.insert(given.end(), request.pcap_files.begin(), request.pcap_files.end());
  // Streams (a pipe, <(zcat ...), "-") are copied once to files of this run's own first.
  auto inputs = ReplayInputs::prepare(given, std::filesystem::path(configured.spool.dir) /
                                                 ("replay-input-" + std::to_string(::getpid())));
  if (!inputs.ok()) {
    std::cerr << "regwatch-agent: " << inputs.error().message << "\n";
    return kExitStartFailed;
  }
  const auto& all_files = inputs->paths();
  const std::vector<std::string> files(
      all_files.begin(),
      all_files.begin() + static_cast<std::ptrdiff_t>(request.syslog_files.size()));
  const std::vector<std::string> pcap_files(
      all_files.begin() + static_cast<std::ptrdiff_t>(request.syslog_files.size()),
      all_files.end());
  if (inputs->copied() > 0) {
    std::cerr << "read " << inputs->copied()
              << " input(s) that were streams, not files, into a copy of this replay's own\n";
  }
  auto digest = archive_digest(all_files);
  if (!digest.ok()) {
    std::cerr << "regwatch-agent: " << digest.error().message << "\n";
    return kExitStartFailed;
  }
  const ReplayIdentity identity =
      make_replay_identity(configured.agent_id, configured.spool.dir, *digest, request.agent_id);
  AgentConfig config = configured;
  config.agent_id = identity.agent_id;
  config.spool.dir = identity.spool_dir.string();
  auto lock = lock_replay_spool(identity.spool_dir);  // held until this function returns
  if (!lock.ok()) {
    std::cerr << "regwatch-agent: " << lock.error().message << "\n";
    return kExitStartFailed;
  }
  // A fresh spool every time: the seqs are then the events' positions in the
  // archive, the same in every replay of it (what a previous run left
  // unacknowledged is sent again by this one).
  std::error_code wiped;
  std::filesystem::remove_all(identity.spool_dir, wiped);
  if (wiped) {
    std::cerr << "regwatch-agent: cannot empty the replay spool " << identity.spool_dir.string()
              << ": " << wiped.message() << "\n";
    return kExitStartFailed;
  }
  auto core = start_core(config, kReplaySpoolIncarnation);
  if (!core.ok()) {
    std::cerr << "regwatch-agent: cannot start: " << core.error().message << "\n";
    return kExitStartFailed;
  }
  std::cerr << "replaying as agent id " << config.agent_id << " (spool " << config.spool.dir
            << ")\n";
  std::atomic<bool> interrupted{false};
  std::optional<SignalWatcher> watcher;  // optional: it must stop before the spool goes
  watcher.emplace([&](int) {
    interrupted = true;
    core->spool->close();
  });
  DuplicateDropMarker duplicates;
  LinePipeline pipeline(*core->spool, &duplicates);
  ReplayOptions options;
  options.assumed_utc_offset_minutes = *parse_utc_offset_minutes(config.syslog.assume_utc_offset);
  options.stop_requested = [&] { return interrupted.load(); };
  const bool show_progress = isatty(fileno(stderr)) != 0;
  const auto started = std::chrono::steady_clock::now();
  for (const auto& file : files) {
    options.on_progress = [&](uint64_t done, uint64_t total) {
      if (show_progress && total > 0) {
        std::fprintf(stderr, "\rreading %s: %3d%%", file.c_str(),
                     static_cast<int>(done * 100 / total));
      }
    };
    auto result = replay_syslog_file(file, pipeline, options, SystemClock::instance());
    if (show_progress) std::fprintf(stderr, "\n");
    if (!result.ok()) {
      std::cerr << "regwatch-agent: " << result.error().message << "\n";
      return kExitStartFailed;
    }
    if (interrupted) break;
  }
  std::vector<std::string> pcap_summaries;
  uint64_t pcap_events = 0;
  uint64_t pcap_spool_dropped = 0;
  for (const auto& file : pcap_files) {
    if (interrupted) break;
    wire::WireCapture analyzer({config.sccp.settings, config.boot, config.sip},
                               [&](regwatch::v1::Event event) {
                                 ++pcap_events;
                                 if (!to_spool(*core->spool, duplicates, std::move(event)))
                                   ++pcap_spool_dropped;
                               });
    if (auto ready = analyzer.start(); !ready.ok()) {
      std::cerr << "regwatch-agent: " << ready.error().message << "\n";
      return kExitStartFailed;
    }
    auto done = replay_pcap_file(file, analyzer, [&](uint64_t at, uint64_t total) {
      if (show_progress && total > 0) {
        std::fprintf(stderr, "\rdecoding %s: %3d%%", file.c_str(),
                     static_cast<int>(at * 100 / total));
      }
    });
    if (show_progress) std::fprintf(stderr, "\n");
    if (!done.ok()) {
      std::cerr << "regwatch-agent: " << done.error().message << "\n";
      return kExitStartFailed;
    }
    if (!done->empty()) std::cerr << "regwatch-agent: warning: " << *done << "\n";
    const wire::WireStats stats = analyzer.stats();
    pcap_summaries.push_back(file + ": " + summarise_sccp(stats.sccp) + "; " +
                             summarise_boot(stats.boot) + "; " + summarise_sip(stats.sip) +
                             (done->empty() ? "" : " (capture cut short)"));
  }
  core->spool->flush();
  std::fprintf(
      stderr,
      "read %llu lines and %llu capture events into the spool; waiting for the collector %s\n",
      static_cast<unsigned long long>(pipeline.counts().lines),
      static_cast<unsigned long long>(pcap_events), config.collector.address.c_str());
  // Wait for the collector, telling the user what we wait for.
  const auto deadline =
      timeout_seconds > 0 ? std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds)
                          : std::chrono::steady_clock::time_point::max();
  auto next_note = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  bool acked = false;
  while (!interrupted && std::chrono::steady_clock::now() < deadline) {
    // The target moves when a drop report is appended after an ack frees space.
    if (core->shipper->wait_acked(core->spool->last_seq(), std::chrono::milliseconds(500)) &&
        core->spool->acked_seq() >= core->spool->last_seq()) {
      acked = true;
      break;
    }
    auto stats = core->shipper->stats();
    if (stats.refused_by_all) {
      std::cerr << "regwatch-agent: the collector " << config.collector.address
                << " refused this agent: " << stats.last_error << "\n";
      return kExitRefused;
    }
    if (std::chrono::steady_clock::now() >= next_note) {
      next_note = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      std::cerr << "waiting for the collector " << stats.collector << ": "
                << core->spool->last_seq() - core->spool->acked_seq() << " events unacknowledged"
                << (stats.last_error.empty() ? "" : " (" + stats.last_error + ")") << "\n";
    }
  }
  const auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto counts = pipeline.counts();
  for (const auto& summary : pcap_summaries) std::printf("decoded %s\n", summary.c_str());
  if (!files.empty()) {
    std::printf(
        "replayed %zu syslog file(s): %llu lines, %llu events (%s), %llu unparsed (kept as "
        "syslog_other), "
        "%llu with errors, %llu dropped by the spool\n",
        files.size(), static_cast<unsigned long long>(counts.lines),
        static_cast<unsigned long long>(counts.events), summarise_kinds(counts).c_str(),
        static_cast<unsigned long long>(counts.unrecognised),
        static_cast<unsigned long long>(counts.with_anomalies),
        static_cast<unsigned long long>(counts.spool_dropped));
  }
  if (!pcap_files.empty()) {
    std::printf("replayed %zu capture file(s): %llu events, %llu dropped by the spool\n",
                pcap_files.size(), static_cast<unsigned long long>(pcap_events),
                static_cast<unsigned long long>(pcap_spool_dropped));
  }
  const uint64_t total_events = counts.events + pcap_events;
  auto shipped = core->shipper->stats();
  const auto print_counts = [&] {
    std::printf(
        "collector: stored %llu, duplicates %llu (already stored before this replay: %llu), agent "
        "id %s\n",
        static_cast<unsigned long long>(shipped.events_stored),
        static_cast<unsigned long long>(shipped.duplicates),
        static_cast<unsigned long long>(shipped.unexpected_duplicates), config.agent_id.c_str());
  };
  if (!acked) {
    print_counts();
    std::printf(
        "NOT all acknowledged: %llu of %llu events were not acknowledged; replay the same files "
        "again to send them (what the collector has is stored once)\n",
        static_cast<unsigned long long>(core->spool->last_seq() - core->spool->acked_seq()),
        static_cast<unsigned long long>(total_events));
    core->shipper->stop();
    return kExitInterrupted;
  }
  core->shipper->stop();
  shipped = core->shipper->stats();
  std::printf("acknowledged by the collector %s in %.1f s (%.0f events/s)\n",
              config.collector.address.c_str(), seconds,
              seconds > 0 ? static_cast<double>(total_events) / seconds : 0.0);
  print_counts();
  ReplayTally tally;
  tally.read = total_events;
  tally.spool_dropped = counts.spool_dropped + pcap_spool_dropped;
  tally.stored = shipped.events_stored;
  tally.duplicates = shipped.duplicates;
  tally.unexpected_duplicates = shipped.unexpected_duplicates;
  const ReplayVerdict verdict =
      judge_replay(tally, config.agent_id, identity.from_content, request.allow_duplicates);
  std::printf("%s\n", verdict.message.c_str());
  std::fflush(stdout);
  watcher.reset();
  core->shipper.reset();  // the shipper uses the spool: it goes first
  core->spool.reset();    // closed before its directory goes
  // Everything is acknowledged: the replay spool holds nothing worth keeping.
  std::error_code removed;
  std::filesystem::remove_all(identity.spool_dir, removed);
  return verdict.all_stored ? kExitOk : kExitNotAllStored;
}

std::string ConfigReader::file_sha256() const {
  auto hashed = config::file_sha256_hex(file_);
  return hashed.ok() ? *hashed : std::string();
}

int run_live(const AgentConfig& started_with, const ConfigReader& reread) {
  AgentConfig config = started_with;  // what runs: reloads change its reloadable parts
  block_daemon_signals();
  auto core = start_core(config);
  if (!core.ok()) {
    std::cerr << "regwatch-agent: cannot start: " << core.error().message << "\n";
    return kExitStartFailed;
  }
  DuplicateDropMarker duplicates;
  OriginSenders senders(config.origin_senders);
  LinePipeline pipeline(*core->spool, &duplicates, &senders);
  // Reloadable: the next line parsed takes the new one.
  std::atomic<int> offset = *parse_utc_offset_minutes(config.syslog.assume_utc_offset);
  syslog::ListenerOptions options;
  if (!config.syslog.udp.empty()) options.udp = *parse_endpoint(config.syslog.udp);
  if (!config.syslog.tcp.empty()) options.tcp = *parse_endpoint(config.syslog.tcp);
  options.max_tcp_connections = config.syslog.max_tcp_connections;
  options.tcp_idle_timeout = std::chrono::seconds(config.syslog.tcp_idle_timeout_s);
  options.max_tcp_connections_per_source = config.syslog.max_tcp_connections_per_source;
  options.tcp_first_line_timeout = std::chrono::seconds(config.syslog.tcp_first_line_timeout_s);
  options.udp_receive_buffer_bytes = config.syslog.udp_receive_buffer_bytes;
  options.udp_queue_max_datagrams = config.syslog.udp_queue_max_datagrams;
  options.udp_queue_max_bytes = static_cast<size_t>(config.syslog.udp_queue_max_bytes);
  syslog::SyslogListener listener(
      options,
      [&](const syslog::ReceivedLine& received) {
        syslog::LineContext context;
        context.receive_time_us = received.receive_time_us;
        context.reference_time_us = received.receive_time_us;
        context.sender = std::string(received.sender_ip);
        context.assumed_utc_offset_minutes = offset.load(std::memory_order_relaxed);
        pipeline.handle(received.line, context);
      },
      SystemClock::instance());
  const bool listening = options.udp || options.tcp;
  if (listening) {
    if (auto started = listener.start(); !started.ok()) {
      std::cerr << "regwatch-agent: cannot start: " << started.error().message << "\n";
      return kExitStartFailed;
    }
    if (options.udp) {
      log_receive_buffer("syslog udp", config.syslog.udp_receive_buffer_bytes,
                         listener.udp_receive_buffer_bytes());
    }
  }
  // Inputs that can report a phone drop go through the duplicate marker; each input's tally
  // counts what it spooled or lost to a full spool (for /metrics).
  InputTally snmp_poll_tally, snmp_trap_tally, capture_tally;
  const auto marked_to_spool = [spool = core->spool.get(), &duplicates](InputTally& tally) {
    return [spool, &duplicates, &tally](regwatch::v1::Event event) {
      tally.count(to_spool(*spool, duplicates, std::move(event)));
    };
  };
  snmp::InterfaceDirectory interface_names;
  auto snmp = make_snmp_scheduler(config, marked_to_spool(snmp_poll_tally), SystemClock::instance(),
                                  &interface_names);
  if (!snmp.ok()) {
    std::cerr << "regwatch-agent: cannot start: " << snmp.error().message << "\n";
    return kExitStartFailed;
  }
  // Always there (idle without targets), so a reload can give it some.
  snmp::PollScheduler& scheduler = **snmp;
  scheduler.start();
  // Who sends traps, by the targets' names: a reload of the targets replaces it.
  const auto sender_names_of = [](const AgentConfig& c) {
    std::vector<std::pair<std::string, std::string>> targets;
    for (const auto& t : c.snmp.targets) targets.emplace_back(t.name, t.address);
    return std::make_shared<const snmp::TrapSenderNames>(targets);
  };
  std::mutex sender_names_mutex;
  std::shared_ptr<const snmp::TrapSenderNames> sender_names = sender_names_of(config);
  std::unique_ptr<snmp::TrapReceiver> traps;
  if (!config.snmp.traps.empty()) {
    auto trap_options = make_trap_receiver_options(config);
    if (!trap_options.ok()) {
      std::cerr << "regwatch-agent: cannot start: " << trap_options.error().message << "\n";
      return kExitStartFailed;
    }
    for (const auto& why : sender_names->unnamed()) component_logger("agent.snmp")->info("{}", why);
    traps = std::make_unique<snmp::TrapReceiver>(
        std::move(trap_options).value(),
        [&core, &scheduler, &interface_names, &senders, &sender_names, &sender_names_mutex,
         &snmp_trap_tally](regwatch::v1::Event event) {
          const auto names = [&] {
            std::lock_guard lock(sender_names_mutex);
            return sender_names;
          }();
          const std::string sender = event.origin();  // the trap's source address
          // What the pollers learned is keyed by the host a target is configured with.
          const std::string polled_host = names->polled_host_of(sender);
          if (event.has_interface() && event.interface().interface().empty()) {
            if (auto name = interface_names.name_of(polled_host, event.interface().if_index())) {
              event.mutable_interface()->set_interface(*name);
            }
          }
          // Named as the polled target is (the address stays in an SNMP trap's sender field).
          if (auto name = names->name_of(sender)) event.set_origin(*name);
          senders.check(event);  // by the name it now has, against the UDP peer
          // CUCM's phone traps carry only counts: read its tables now for the phones.
          const bool tables_changed = event.kind() == regwatch::v1::CCM_PHONE_STATUS_UPDATE ||
                                      event.kind() == regwatch::v1::CCM_PHONE_FAILED;
          snmp_trap_tally.count(core->spool->append(std::move(event)));
          if (tables_changed) scheduler.poll_soon(polled_host);
        },
        SystemClock::instance());
    if (auto started = traps->start(); !started.ok()) {
      std::cerr << "regwatch-agent: cannot start: " << started.error().message << "\n";
      return kExitStartFailed;
    }
    log_receive_buffer("SNMP trap", config.snmp.trap_receive_buffer_bytes,
                       traps->receive_buffer_bytes());
    if (!config.snmp.trap_users.empty()) {
      component_logger("agent")->info(
          "SNMPv3 trap users: {}; this agent's engine ID (for INFORMs) {}",
          config.snmp.trap_users.size(), snmp::local_engine_id_hex());
    }
  }
  std::unique_ptr<LiveCapture> capture;
  if (!config.sccp.capture.empty()) {
    capture = std::make_unique<LiveCapture>(
        config.sccp.capture, config.sccp.filter,
        wire::WireSettings{config.sccp.settings, config.boot, config.sip},
        marked_to_spool(capture_tally), SystemClock::instance());
    if (auto started = capture->start(); !started.ok()) {
      std::cerr << "regwatch-agent: cannot start: " << started.error().message << "\n";
      return kExitStartFailed;
    }
  }
  auto log = component_logger("agent");
  log->info(
      "agent '{}' receiving syslog on udp {} tcp {}, SNMP traps on {}; polling {} SNMP targets; "
      "spool {}; "
      "collector {}",
      config.agent_id, config.syslog.udp.empty() ? "off" : config.syslog.udp,
      config.syslog.tcp.empty() ? "off" : config.syslog.tcp,
      config.snmp.traps.empty() ? "off" : config.snmp.traps, config.snmp.targets.size(),
      config.spool.dir, config.collector.address);
  config::ConfigStampHolder config_stamp(metrics::default_registry(), "regwatch_agent");
  config_stamp.loaded(reread ? reread.file() : std::string(), reread ? reread.file_sha256() : "",
                      SystemClock::instance().now_us());
  // SIGHUP: read and check the config as start-up did; apply what can change in place
  // (agent_reload.h); an invalid config is refused with every problem logged, the running
  // one kept.
  const auto reload = [&] {
    service::notify_reloading();
    // Ready again whatever the outcome: a refused config leaves the running one in force.
    const struct ReadyAfter {
      ~ReadyAfter() { service::notify_ready(); }
    } ready_after;
    const int64_t now = SystemClock::instance().now_us();
    if (!reread) {
      log->info("SIGHUP: started without a config file; nothing to reload");
      return;
    }
    log->info("SIGHUP: reloading {}", reread.file());
    auto next = reread.read();
    if (!next.ok()) {
      log->error("reload refused, running config kept:\n{}", next.error().message);
      config_stamp.reload_refused(next.error().message, now);
      return;
    }
    const AgentReloadPlan plan = plan_agent_reload(config, *next);
    const AgentConfig& e = plan.effective;
    std::string applied;
    const auto note = [&](const char* what) {
      applied += (applied.empty() ? "" : ", ") + std::string(what);
    };
    if (plan.log_level) {
      set_log_level(e.log_level);  // both checked valid
      set_log_format(*parse_log_format(e.log_format));
      note("log level and format");
    }
    if (plan.parsing) {
      offset.store(*parse_utc_offset_minutes(e.syslog.assume_utc_offset));  // checked valid
      senders.replace(e.origin_senders);
      note("parsing options");
    }
    if (plan.snmp_targets) {
      auto pollers = make_snmp_pollers(e, SystemClock::instance(), &interface_names);
      if (!pollers.ok()) {
        log->error("reload refused, running config kept: {}", pollers.error().message);
        config_stamp.reload_refused(pollers.error().message, now);
        return;
      }
      const size_t count = pollers->size();
      const size_t kept = scheduler.retarget(std::move(pollers).value(), !plan.snmp_settings);
      {
        std::lock_guard lock(sender_names_mutex);
        sender_names = sender_names_of(e);
      }
      log->info("SNMP: polling {} targets ({} unchanged kept their state)", count, kept);
      note("SNMP targets");
    }
    config = e;
    log->info("reload done: {}", applied.empty() ? "nothing changed" : "applied " + applied);
    if (!plan.needs_restart.empty()) {
      std::string keys;
      for (const auto& key : plan.needs_restart) keys += (keys.empty() ? "" : ", ") + key;
      log->warn(
          "reload: {} changed but {} read only at start: restart to apply (running on the "
          "values before)",
          keys, plan.needs_restart.size() == 1 ? "is" : "are");
    }
    config_stamp.loaded(reread.file(), reread.file_sha256(), now);
    config_stamp.needs_restart(plan.needs_restart);
  };
  std::mutex mutex;
  std::condition_variable stop_cv;
  bool stop = false;
  SignalWatcher watcher(
      [&](int signal) {
        log->info("signal {}: shutting down", signal);
        service::notify_stopping();
        std::lock_guard lock(mutex);
        stop = true;
        stop_cv.notify_all();
      },
      reload);
  DropReporter drop_reporter(config.agent_id);
  // The inputs' drop totals by reason: reported to the collector and served on /metrics.
  auto input_drop_totals = [&] {
    std::map<std::string, uint64_t> totals;
    const auto heard = listener.stats();
    if (options.udp) {
      // Each stage of the UDP path that can lose a datagram has its own reason.
      const auto queue = listener.udp_queue_stats();
      totals["syslog_udp_kernel_overflow"] = heard.udp_kernel_drops;
      totals["syslog_queue_full"] = queue.full_drops;
      totals["syslog_queue_shutdown"] = queue.discarded;
    }
    if (options.tcp) {
      // A sender whose connection is refused or cut loses what it sends next unless it
      // reconnects, so these are reported like the other input drops (issue 17).
      totals.insert({{"syslog_tcp_rejected_full", heard.rejected_connections},
                     {"syslog_tcp_rejected_per_source", heard.rejected_per_source},
                     {"syslog_tcp_evicted_idle", heard.evicted_idle}});
    }
    if (traps) {
      const auto t = traps->stats();
      totals.insert({{"snmp_trap_unknown_community", t.unknown_community},
                     {"snmp_trap_unknown_user", t.unknown_user},
                     {"snmp_trap_unauthenticated", t.unauthenticated},
                     {"snmp_trap_malformed", t.malformed},
                     {"snmp_trap_oversized", t.oversized},
                     {"snmp_trap_unsupported_version", t.unsupported_version},
                     {"trap_kernel_overflow", t.kernel_drops}});
    }
    return totals;
  };
  auto report_input_drops = [&] {
    for (auto& e : drop_reporter.changes(input_drop_totals(), SystemClock::instance().now_us()))
      core->spool->append(std::move(e));
  };
  AgentMetricSources metric_sources;
  metric_sources.pipeline = &pipeline;
  if (listening) metric_sources.listener = &listener;
  metric_sources.spool = core->spool.get();
  metric_sources.spool_max_bytes = *config::parse_size(config.spool.max_size);  // checked
  metric_sources.shipper = core->shipper.get();
  metric_sources.snmp = &scheduler;
  metric_sources.traps = traps.get();
  metric_sources.capture = capture.get();
  metric_sources.snmp_poll_tally = &snmp_poll_tally;
  if (traps) metric_sources.snmp_trap_tally = &snmp_trap_tally;
  if (capture) metric_sources.capture_tally = &capture_tally;
  metric_sources.input_drops = input_drop_totals;
  metrics::register_build_info(metrics::default_registry());
  const AgentMetrics agent_metrics(std::move(metric_sources));
  std::unique_ptr<metrics::MetricsServer> metrics_server;  // stops before agent_metrics goes
  if (!config.metrics.listen.empty()) {
    auto served = metrics::MetricsServer::start(
        {config.metrics.listen, config.metrics.tls_cert, config.metrics.tls_key},
        metrics::default_registry());
    if (!served.ok()) {
      std::cerr << "regwatch-agent: cannot start: " << served.error().message << "\n";
      return kExitStartFailed;
    }
    metrics_server = std::move(served).value();
    log->info("metrics for Prometheus on {} port {} ({}, /metrics)", config.metrics.listen,
              metrics_server->port(), config.metrics.tls_cert.empty() ? "http" : "https");
  }
  // Every input listens: a Type=notify unit's start is done (no-op outside systemd).
  service::notify_status("syslog udp " + (config.syslog.udp.empty() ? "off" : config.syslog.udp) +
                         ", tcp " + (config.syslog.tcp.empty() ? "off" : config.syslog.tcp) + "; " +
                         std::to_string(config.snmp.targets.size()) + " SNMP targets");
  service::notify_ready();
  const service::WatchdogPinger watchdog;  // WatchdogSec: a hung agent is restarted
  {
    std::unique_lock lock(mutex);
    auto next_log = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    // Input drops reach the collector within seconds; the counts line is logged every minute.
    while (!stop_cv.wait_for(lock, std::chrono::seconds(2), [&] { return stop; })) {
      report_input_drops();
      if (std::chrono::steady_clock::now() >= next_log) {
        next_log += std::chrono::seconds(60);
        log_counts(pipeline.counts(), senders.spoofed(), core->spool->stats(),
                   core->shipper->stats());
        if (options.tcp) log_tcp_counts(listener.stats());
      }
    }
  }
  if (capture) {
    capture->stop();
    log->info("capture on {}: {}; {}; {}; kernel drops {}", config.sccp.capture,
              summarise_sccp(capture->stats()), summarise_boot(capture->boot_stats()),
              summarise_sip(capture->sip_stats()), capture->kernel_drops());
  }
  if (traps) traps->stop();
  scheduler.stop();
  listener.stop();
  report_input_drops();  // what the last reads and the stop's drain saw
  core->spool->flush();
  if (options.udp) {
    const auto udp = listener.stats();
    const auto queue = listener.udp_queue_stats();
    log->info(
        "syslog udp: {} datagrams read, {} dropped by the kernel (receive buffer full), {} dropped "
        "at the queue (full), {} discarded at stop; queue peak {} datagrams",
        udp.udp_datagrams, udp.udp_kernel_drops, queue.full_drops, queue.discarded,
        queue.peak_depth);
  }
  // Give the shipper a moment to send what just arrived; the rest stays spooled.
  core->shipper->wait_acked(core->spool->last_seq(), std::chrono::seconds(2));
  log_counts(pipeline.counts(), senders.spoofed(), core->spool->stats(), core->shipper->stats());
  if (options.tcp) log_tcp_counts(listener.stats());
  core->shipper->stop();
  return kExitOk;
}

}  // namespace regwatch::agent
