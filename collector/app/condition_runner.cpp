#include "collector/app/condition_runner.h"

#include <chrono>
#include <map>

#include "alerts/condition_rules.h"
#include "collector/store/store_backend.h"
#include "common/alert_status.h"
#include "common/logging.h"
#include "common/provenance.h"
#include "common/record_bytes.h"
#include "common/time_format.h"

namespace regwatch::collector {
namespace {

constexpr int64_t kSecond = 1'000'000;
// Sources seen within this long are watched for silence; older ones are gone for good.
constexpr int64_t kSourceMemoryUs = int64_t{7} * 86'400 * kSecond;
// Events a little ahead of the collector's clock (a device clock running fast) still count.
constexpr int64_t kClockSkewUs = int64_t{10} * 60 * kSecond;
constexpr size_t kMaxEvents = 200'000;
// phones_still_down lists (and checks for a registration since) at most this many per
// incident: the alert is about the storm, and its description shows 20.
constexpr size_t kMaxPhonesStillDown = 10'000;

}  // namespace

ConditionRunner::ConditionRunner(std::string db_path, alerts::AlertingConfig config,
                                 const Clock& clock, const ingest::ConnectedAgents& agents)
    : db_path_(std::move(db_path)),
      config_(std::make_shared<const alerts::AlertingConfig>(std::move(config))),
      clock_(clock),
      agents_(agents) {}

void ConditionRunner::update_config(alerts::AlertingConfig config) {
  auto next = std::make_shared<const alerts::AlertingConfig>(std::move(config));
  {
    std::lock_guard lock(mutex_);
    config_ = std::move(next);
    stored_ = true;  // evaluate by the new rules soon
  }
  wake_.notify_all();
}

std::shared_ptr<const alerts::AlertingConfig> ConditionRunner::config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

ConditionRunner::~ConditionRunner() {
  stop();
}

Status ConditionRunner::start() {
  auto backend = store::open_store_backend(db_path_);
  if (!backend.ok()) return backend.error();
  auto reader = (*backend)->open_source();
  if (!reader.ok()) return reader.error();
  auto conditions = store::ConditionStore::open(db_path_);
  if (!conditions.ok()) return conditions.error();
  reader_ = std::move(reader).value();
  store_ = std::move(conditions).value();
  // Runs with no conditions too: a reload may add some, and one that removes them resolves
  // what they had firing.
  thread_ = std::thread([this] { run(); });
  return Ok{};
}

void ConditionRunner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ConditionRunner::on_stored() {
  {
    std::lock_guard lock(mutex_);
    if (stored_) return;
    stored_ = true;
  }
  wake_.notify_all();
}

void ConditionRunner::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    stored_ = false;
    lock.unlock();
    evaluate();
    lock.lock();
    // At most one evaluation a second, however busy ingest is.
    wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    wake_.wait_for(lock, std::chrono::seconds(config_->evaluate_every_s),
                   [&] { return stopping_ || stored_; });
  }
}

void ConditionRunner::evaluate() {
  if (leading_ && !leading_()) return;
  auto log = component_logger("alerts.conditions");
  const auto config = this->config();
  const int64_t now = clock_.now_us();
  alerts::ConditionInputs in;
  in.now_us = now;
  const int64_t lookback = int64_t{alerts::condition_lookback_s(config->conditions)} * kSecond;
  auto cut =
      reader_->scan_events(now - lookback, now + kClockSkewUs, alerts::condition_event_kinds(),
                           kMaxEvents, [&](int64_t id, regwatch::v1::Event&& event) {
                             if (may_drive_diagnosis(event))
                               in.events.emplace_back(id, std::move(event));
                           });
  if (!cut.ok()) {
    log->error("conditions: cannot read events: {}", cut.error().message);
    return;
  }
  if (*cut)
    log->warn("conditions: more than {} events in the window; the oldest left out", kMaxEvents);
  auto sources = store_->sources(now - kSourceMemoryUs);
  if (!sources.ok()) {
    log->error("conditions: cannot read sources: {}", sources.error().message);
    return;
  }
  in.sources = std::move(sources).value();
  in.agent_connected = [this](const std::string& agent) { return agents_.connected(agent); };
  in.agent_closed_at = [this](const std::string& agent) {
    return agents_.closed_at(agent).value_or(0);
  };
  in.registered_since = [this](const std::string& device, int64_t since) {
    auto registered = store_->registered_since(device, since);
    return registered.ok() && *registered;
  };
  for (const auto& rule : config->conditions) {
    if (rule.condition != "phones_still_down") continue;
    auto quiet =
        store_->quiet_incidents(now - int64_t{rule.window_s} * kSecond,
                                now - static_cast<int64_t>(rule.threshold * kSecond),
                                int64_t{config->max_incident_age_s} * kSecond, kMaxPhonesStillDown);
    if (!quiet.ok()) {
      log->error("conditions: cannot read quiet incidents: {}", quiet.error().message);
      return;
    }
    in.quiet_incidents = std::move(quiet).value();
    break;
  }
  const auto active = alerts::evaluate_conditions(in, config->conditions);

  auto firing = store_->firing();
  if (!firing.ok()) {
    log->error("conditions: cannot read their alerts: {}", firing.error().message);
    return;
  }
  std::map<std::string, store::ConditionRow> by_identity;
  for (auto& row : *firing) by_identity.emplace(row.identity, std::move(row));
  std::vector<store::ConditionRow> changed;
  std::vector<store::KeyedIncident> handed;
  for (const auto& condition : active) {
    auto it = by_identity.find(condition.identity);
    store::ConditionRow row;
    bool is_new = false;
    if (it != by_identity.end()) {
      row = std::move(it->second);
      by_identity.erase(it);
    } else {
      row.identity = condition.identity;
      row.starts_us = condition.first_evidence_us;
      row.key = condition.identity + "@" + std::to_string(condition.first_evidence_us);
      row.state = v1::ALERT_STATUS_FIRING;
      is_new = true;
    }
    v1::Alert record =
        alerts::condition_record(condition, row.key, v1::ALERT_STATUS_FIRING, row.starts_us, 0);
    if (!is_new && deterministic_bytes(record) == deterministic_bytes(row.record) &&
        !row.inactive_since_us)
      continue;
    row.record = std::move(record);
    row.inactive_since_us.reset();
    row.updated_us = now;
    if (is_new) log->warn("condition {}: {}", row.key, condition.summary);
    changed.push_back(row);
    handed.push_back(
        {row.key, row.key, is_new ? std::string(alert_status_name(row.state)) : "", row.record});
  }
  // Firing episodes no longer met: held for flap_hold_s, then resolved.
  for (auto& [identity, row] : by_identity) {
    if (!row.inactive_since_us) {
      row.inactive_since_us = now;
      row.updated_us = now;
      changed.push_back(row);
      continue;
    }
    if (now - *row.inactive_since_us < int64_t{config->flap_hold_s} * kSecond) continue;
    row.record.set_status(v1::ALERT_STATUS_RESOLVED);
    row.record.set_end_us(now);
    row.state = v1::ALERT_STATUS_RESOLVED;
    row.ends_us = now;
    row.updated_us = now;
    log->info("condition {} resolved", row.key);
    changed.push_back(row);
    handed.push_back({row.key, row.key, std::string(alert_status_name(row.state)), row.record});
  }
  if (auto saved = store_->save(changed); !saved.ok()) {
    log->error("conditions: cannot store their alerts: {}", saved.error().message);
    return;
  }
  if (handler_ && !handed.empty()) handler_(std::move(handed));
}

}  // namespace regwatch::collector
