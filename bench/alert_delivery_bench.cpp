// Alert delivery latency (issue 6's benchmark): the time from an incident being handed to the
// alert dispatcher (as the correlation runner does after a pass) to its notification arriving at
// a receiver on loopback, over many incidents; with, as a baseline in the same run, the same
// receiver fed by bare libcurl POSTs one after another (the limit of one HTTP round trip each).
//
// The dispatcher runs as in the collector: a fresh SQLite store (the incidents table and the
// durable outbox), the webhook receiver type, group_wait 0 (the shipped default is 10 s, which
// would only add itself to every figure). The receiver is a minimal HTTP/1.1 server in this
// process that notes the arrival time of each incident's webhook.
//
// Usage: alert_delivery_bench [incidents=500] [spacing_ms=2]
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "alerts/alert_dispatcher.h"
#include "collector/store/event_writer.h"
#include "collector/store/incident_store.h"
#include "collector/store/sqlite_alert_stores.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/time_format.h"

namespace {

using Steady = std::chrono::steady_clock;
using regwatch::collector::store::IncidentRow;

// Accepts connections one at a time, reads one POST each, answers 200 and notes when the body
// named an incident.
class Receiver {
 public:
  Receiver() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(fd_, 64);
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  // Waits until `count` bodies arrived (or the deadline); returns arrival times by incident id.
  std::map<std::string, Steady::time_point> wait_for(size_t count, std::chrono::seconds deadline) {
    std::unique_lock lock(mutex_);
    arrived_.wait_for(lock, deadline, [&] { return arrivals_.size() >= count; });
    return arrivals_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    arrivals_.clear();
  }

 private:
  void serve() {
    while (!stopping_) {
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      std::string request;
      char buffer[8192];
      size_t body_at = std::string::npos, length = 0;
      while (true) {
        const ssize_t n = read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
        if (body_at == std::string::npos &&
            (body_at = request.find("\r\n\r\n")) != std::string::npos) {
          body_at += 4;
          const auto at = request.find("Content-Length: ");
          length = at == std::string::npos ? 0 : std::stoul(request.substr(at + 16));
        }
        if (body_at != std::string::npos && request.size() >= body_at + length) break;
      }
      const auto now = Steady::now();
      const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      (void)!write(client, reply, sizeof reply - 1);
      close(client);
      if (body_at == std::string::npos) continue;
      const auto body = nlohmann::json::parse(request.substr(body_at), nullptr, false);
      std::string id;
      if (body.is_object() && body.contains("groupLabels"))
        id = body["groupLabels"].value("incident", "");
      if (body.is_object() && body.contains("probe")) id = body["probe"].get<std::string>();
      if (id.empty()) continue;
      std::lock_guard lock(mutex_);
      arrivals_.emplace(id, now);
      arrived_.notify_all();
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::map<std::string, Steady::time_point> arrivals_;
};

regwatch::v1::Incident incident_record(const std::string& id, int64_t now_us) {
  regwatch::v1::Incident r;
  r.set_id(id);
  r.set_state(regwatch::v1::INCIDENT_STATE_OPEN);
  r.set_incident_class("infrastructure");
  r.mutable_scope()->set_type("cm_node");
  r.mutable_scope()->set_name("ucm-sub1");
  r.set_start_us(now_us - 20'000'000);
  r.set_end_us(now_us - 10'000'000);
  for (int k = 0; k < 40; ++k) r.add_phones("SEP" + std::to_string(100000000000 + k));
  (*r.mutable_phones_by_cm())["ucm-sub1"] = 40;
  (*r.mutable_phones_by_switch())["sw-3f"] = 40;
  auto* cause = r.add_causes();
  cause->set_kind("cm_cpu");
  cause->set_subject("ucm-sub1");
  cause->set_score(0.93);
  cause->set_explanation("ucm-sub1: RTMT CallProcessingNodeCpuPegging, 20 s before the first drop");
  cause->set_remediation("find the process hogging the CUCM node's CPU");
  cause->add_evidence(1);
  cause->add_evidence(2);
  return r;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

void report(const char* name, const std::vector<double>& ms, double seconds) {
  std::printf(
      "%-28s %5zu delivered in %6.2f s (%7.1f/s); latency p50 %.2f ms, p90 %.2f ms, "
      "p99 %.2f ms, max %.2f ms\n",
      name, ms.size(), seconds, static_cast<double>(ms.size()) / seconds, percentile(ms, 0.5),
      percentile(ms, 0.9), percentile(ms, 0.99), percentile(ms, 1.0));
}

}  // namespace

int main(int argc, char** argv) {
  const int incidents = argc > 1 ? std::max(1, std::atoi(argv[1])) : 500;
  const int spacing_ms = argc > 2 ? std::max(0, std::atoi(argv[2])) : 2;
  regwatch::set_log_level("warn");  // one info line per delivery would be measured too
  const auto dir =
      std::filesystem::temp_directory_path() / ("regwatch-alert-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = (dir / "regwatch.db").string();
  Receiver receiver;
  auto& clock = regwatch::SystemClock::instance();

  // Baseline: bare libcurl, one POST after another, to the same receiver.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  std::vector<double> bare_ms;
  const auto bare_start = Steady::now();
  for (int i = 0; i < incidents; ++i) {
    const std::string body = "{\"probe\":\"p" + std::to_string(i) + "\"}";
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, receiver.url().c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    const auto t0 = Steady::now();
    curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    bare_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
  }
  const double bare_s = std::chrono::duration<double>(Steady::now() - bare_start).count();
  receiver.wait_for(static_cast<size_t>(incidents), std::chrono::seconds(10));
  receiver.clear();

  {
    auto writer = regwatch::collector::store::EventWriter::open(db);  // creates the schema
    if (!writer.ok()) {
      std::fprintf(stderr, "cannot create %s: %s\n", db.c_str(), writer.error().message.c_str());
      return 1;
    }
  }
  auto incidents_table = regwatch::collector::store::IncidentWriter::open(db);
  if (!incidents_table.ok()) return 1;
  regwatch::alerts::AlertingConfig config;
  config.group_wait_s = 0;
  // Every incident is on one scope: flap damping (3 pages per scope an hour) would page only
  // the first three, so it is off in a latency bench.
  config.flap_max_pages = std::numeric_limits<uint32_t>::max();
  regwatch::alerts::ReceiverConfig hook;
  hook.name = "bench";
  hook.type = "webhook";
  hook.url = receiver.url();
  config.receivers = {hook};
  regwatch::alerts::AlertDispatcher dispatcher(
      config, regwatch::collector::store::sqlite_alert_stores(db), clock);
  if (!dispatcher.start().ok()) return 1;

  std::printf(
      "%d incidents handed to the dispatcher %d ms apart (as correlation passes would), "
      "each delivered as an Alertmanager-format webhook to a receiver on loopback\n",
      incidents, spacing_ms);
  std::map<std::string, Steady::time_point> handed;
  const auto start = Steady::now();
  for (int i = 0; i < incidents; ++i) {
    const int64_t now = clock.now_us();
    IncidentRow row;
    row.id = "cm_node:ucm-sub1@" + std::to_string(now + i);
    row.state = regwatch::v1::INCIDENT_STATE_OPEN;
    row.incident_class = "infrastructure";
    row.scope_type = "cm_node";
    row.scope_name = "ucm-sub1";
    row.start_time_us = now - 20'000'000 + i;
    row.end_time_us = now - 10'000'000;
    row.phone_count = 40;
    row.top_cause = "cm_cpu";
    row.record = incident_record(row.id, now);
    (void)(*incidents_table)->replace_range(row.start_time_us, row.start_time_us + 1, {row}, now);
    handed[row.id] = Steady::now();
    dispatcher.on_incidents({{row.id, row.id, "", row.record}});
    if (spacing_ms) std::this_thread::sleep_for(std::chrono::milliseconds(spacing_ms));
  }
  const auto arrivals =
      receiver.wait_for(static_cast<size_t>(incidents), std::chrono::seconds(120));
  const double total_s = std::chrono::duration<double>(Steady::now() - start).count();
  dispatcher.stop();
  std::vector<double> ms;
  for (const auto& [id, t0] : handed) {
    if (auto it = arrivals.find(id); it != arrivals.end())
      ms.push_back(std::chrono::duration<double, std::milli>(it->second - t0).count());
  }
  report("bare libcurl POST", bare_ms, bare_s);
  report("dispatcher (queue + send)", ms, total_s);
  if (ms.size() < static_cast<size_t>(incidents))
    std::printf("MISSING: %zu of %d notifications did not arrive within 120 s\n",
                static_cast<size_t>(incidents) - ms.size(), incidents);
  std::printf("ratio of p50 latencies (dispatcher / bare POST): %.1f\n",
              percentile(ms, 0.5) / std::max(percentile(bare_ms, 0.5), 1e-9));
  std::filesystem::remove_all(dir);
  curl_global_cleanup();
  return 0;
}
