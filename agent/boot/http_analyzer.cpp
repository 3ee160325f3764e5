#include "agent/boot/http_analyzer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "agent/boot/http_head.h"
#include "common/boot_files.h"

namespace regwatch::agent::boot {
namespace {

constexpr int64_t kSecond = 1'000'000;

std::string failure_of_status(int status) {
  if (status >= 200 && status < 300) return "";
  if (status == 404 || status == 410) return "not_found";
  if (status == 401 || status == 403) return "access_violation";
  return "http_status";
}

}  // namespace

struct HttpAnalyzer::Connection {
  Key key;
  uint16_t vlan = 0;
  int64_t last_packet_us = 0;
  capture::TcpReassembler to_server, to_client;
  std::vector<uint8_t> request_head, response_head;  // bytes of a head not yet complete
  struct Request {
    std::string file;
    int64_t start_us = 0;
  };
  std::deque<Request> requests;  // sent, not yet answered whole
  bool server_spoke = false;
  bool broken = false;  // a hole or an unreadable head: no longer followed
  // The response in progress (requests.front()'s).
  bool in_body = false;
  bool until_close = false;
  uint64_t body_left = 0;
  uint64_t body_bytes = 0;
  int status = 0;
  std::string reason;
  bool keep_content = false;
  std::vector<uint8_t> content;
};

struct HttpAnalyzer::StreamSink final : capture::TcpReassembler::Sink {
  StreamSink(HttpAnalyzer& owner, Connection& c, bool client_side, int64_t now_us)
      : analyzer(owner), connection(c), to_server(client_side), time_us(now_us) {}
  void data(std::span<const uint8_t> bytes) override {
    if (to_server) {
      analyzer.client_bytes(connection, bytes, time_us);
    } else {
      analyzer.server_bytes(connection, bytes, time_us);
    }
  }
  void gap() override {
    if (!connection.broken) ++analyzer.tracker_.stats().anomalies["http_gap"];
    connection.broken = true;
  }
  HttpAnalyzer& analyzer;
  Connection& connection;
  bool to_server;
  int64_t time_us;
};

size_t HttpAnalyzer::KeyHash::operator()(const Key& key) const {
  uint64_t a[2], b[2];
  std::memcpy(a, key.client.bytes.data(), 16);
  std::memcpy(b, key.server.bytes.data(), 16);
  uint64_t h = a[0] * 0x9e3779b97f4a7c15ULL ^ a[1] ^ (b[1] * 0xbf58476d1ce4e5b9ULL) ^ b[0];
  h ^= (uint64_t{key.client_port} << 16 | key.server_port) * 0x94d049bb133111ebULL;
  return static_cast<size_t>(h ^ (h >> 31));
}

HttpAnalyzer::HttpAnalyzer(const BootSettings& settings, BootTracker& tracker)
    : settings_(settings), tracker_(tracker) {}

HttpAnalyzer::~HttpAnalyzer() = default;

void HttpAnalyzer::on_tcp(const capture::TcpSegment& segment, int64_t time_us) {
  ++tracker_.stats().http_segments;
  on_time(time_us);
  const bool to_server = std::find(settings_.http_ports.begin(), settings_.http_ports.end(),
                                   segment.dst_port) != settings_.http_ports.end();
  const Key key = to_server ? Key{segment.src, segment.dst, segment.src_port, segment.dst_port}
                            : Key{segment.dst, segment.src, segment.dst_port, segment.src_port};
  auto found = connections_.find(key);
  if (found == connections_.end()) {
    if (segment.rst || (segment.fin && segment.payload.empty())) return;  // nothing to follow
    if (connections_.size() >= settings_.max_transfers) {
      ++tracker_.stats().anomalies["http_connections_full"];
      return;
    }
    auto connection = std::make_unique<Connection>();
    connection->key = key;
    connection->vlan = segment.vlan;
    found = connections_.emplace(key, std::move(connection)).first;
  }
  Connection& c = *found->second;
  c.last_packet_us = time_us;
  if (!c.broken && (!segment.payload.empty() || segment.syn)) {
    StreamSink sink(*this, c, to_server, time_us);
    (to_server ? c.to_server : c.to_client)
        .on_segment(segment.seq, segment.syn, segment.payload, held_budget_, sink, reassembly_);
  }
  if (segment.rst || (segment.fin && (!to_server || c.requests.empty())))
    close(key, false, time_us);
}

void HttpAnalyzer::client_bytes(Connection& c, std::span<const uint8_t> bytes, int64_t time_us) {
  if (c.broken) return;
  c.request_head.insert(c.request_head.end(), bytes.begin(), bytes.end());
  // Heads are read at an offset and the bytes they took erased once: a segment of many
  // pipelined requests costs its length, not its length times their number.
  size_t used = 0;
  while (used < c.request_head.size()) {
    auto head = parse_http_head(std::span<const uint8_t>(c.request_head).subspan(used));
    if (!head.ok()) {
      if (head.error().code == "need_more") break;
      ++tracker_.stats().anomalies["http_" + head.error().code];
      c.broken = true;
      break;
    }
    used += head->head_bytes;
    if (head->response) {
      ++tracker_.stats().anomalies["http_response_from_client"];
      continue;
    }
    if (c.requests.size() >= settings_.max_pipelined_requests) {
      // No phone pipelines this deep: not followed further (and no flood of failures later).
      ++tracker_.stats().anomalies["http_pipeline_full"];
      c.broken = true;
      break;
    }
    const std::string file(domain::boot_file_base_name(head->target));
    c.requests.push_back({file, time_us});
    tracker_.requested(file, c.key.client.to_string(), time_us);
  }
  if (c.broken) {
    c.request_head = {};
  } else {
    c.request_head.erase(c.request_head.begin(),
                         c.request_head.begin() + static_cast<std::ptrdiff_t>(used));
  }
}

void HttpAnalyzer::server_bytes(Connection& c, std::span<const uint8_t> bytes, int64_t time_us) {
  if (c.broken) return;
  c.server_spoke = true;
  while (!bytes.empty()) {
    if (c.in_body) {
      const size_t take = c.until_close
                              ? bytes.size()
                              : static_cast<size_t>(std::min<uint64_t>(c.body_left, bytes.size()));
      c.body_bytes += take;
      if (c.keep_content) {
        if (c.content.size() + take > settings_.max_config_bytes) {
          ++tracker_.stats().anomalies["http_config_too_large"];
          drop_content(c);
        } else if (!tracker_.take_config_bytes(take)) {
          drop_content(c);
        } else {
          c.content.insert(c.content.end(), bytes.begin(),
                           bytes.begin() + static_cast<std::ptrdiff_t>(take));
        }
      }
      bytes = bytes.subspan(take);
      if (!c.until_close) {
        c.body_left -= take;
        if (c.body_left == 0) finish_response(c, failure_of_status(c.status), time_us);
      }
      continue;
    }
    // A response head, perhaps in pieces.
    const size_t before = c.response_head.size();
    c.response_head.insert(c.response_head.end(), bytes.begin(), bytes.end());
    auto head = parse_http_head(c.response_head);
    if (!head.ok()) {
      if (head.error().code == "need_more") return;
      ++tracker_.stats().anomalies["http_" + head.error().code];
      c.broken = true;
      return;
    }
    // What of these bytes was past the head is the body's.
    bytes = bytes.subspan(head->head_bytes - before);
    c.response_head.clear();
    if (!head->response) {
      ++tracker_.stats().anomalies["http_request_from_server"];
      continue;
    }
    if (head->status >= 100 && head->status < 200) continue;  // 100 Continue: the real one follows
    tracker_.server_answered(c.key.server.to_string(), time_us);
    if (c.requests.empty()) {
      ++tracker_.stats().anomalies["http_response_without_request"];
      c.requests.push_back({"", time_us});
    }
    c.status = head->status;
    c.reason = head->reason;
    c.body_bytes = 0;
    c.keep_content =
        failure_of_status(c.status).empty() && !head->chunked &&
        domain::boot_file_is_readable_config(domain::classify_boot_file(c.requests.front().file));
    c.content.clear();
    const bool no_body = head->status == 204 || head->status == 304;
    if (no_body || (head->content_length && *head->content_length == 0 && !head->chunked)) {
      finish_response(c, failure_of_status(c.status), time_us);
      continue;
    }
    c.in_body = true;
    c.until_close = head->chunked || !head->content_length;
    c.body_left = c.until_close ? 0 : *head->content_length;
  }
}

void HttpAnalyzer::drop_content(Connection& c) {
  c.keep_content = false;
  tracker_.give_config_bytes(c.content.size());
  c.content = {};
}

void HttpAnalyzer::finish_response(Connection& c, std::string failure, int64_t time_us) {
  if (c.requests.empty()) return;
  Transfer transfer;
  transfer.file = c.requests.front().file;
  transfer.start_us = c.requests.front().start_us;
  c.requests.pop_front();
  transfer.kind = domain::classify_boot_file(transfer.file);
  transfer.client_ip = c.key.client.to_string();
  transfer.server_ip = c.key.server.to_string();
  transfer.protocol = "http";
  transfer.bytes = c.body_bytes;
  transfer.vlan = c.vlan;
  transfer.failure = std::move(failure);
  if (c.status) {
    transfer.error_code = c.status;
    transfer.error_text = c.reason;
  }
  if (transfer.failure.empty() && c.keep_content) {
    auto config = parse_phone_config(c.content);
    if (config.ok()) {
      transfer.config = std::move(*config);
    } else {
      ++tracker_.stats().anomalies["config_" + config.error().code];
    }
  }
  drop_content(c);
  c.in_body = c.until_close = false;
  c.body_left = c.body_bytes = 0;
  c.status = 0;
  c.reason.clear();
  tracker_.finished(std::move(transfer), time_us);
}

void HttpAnalyzer::close(const Key& key, bool idle, int64_t time_us) {
  const auto found = connections_.find(key);
  if (found == connections_.end()) return;
  Connection& c = *found->second;
  if (c.in_body) {
    // To the connection's end: whole. Inside a Content-Length: cut short (or, idle, stopped).
    finish_response(c,
                    c.until_close ? failure_of_status(c.status)
                    : idle        ? "timeout"
                                  : "truncated",
                    time_us);
  }
  while (!c.requests.empty()) {
    c.status = 0;
    finish_response(c, c.server_spoke ? "timeout" : "no_answer", time_us);
  }
  connections_.erase(found);
}

void HttpAnalyzer::on_time(int64_t time_us) {
  // Once a second of packet time (see TftpAnalyzer::on_time).
  if (time_us < next_scan_us_ && next_scan_us_ - time_us <= kSecond) return;
  next_scan_us_ = time_us + kSecond;
  tracker_.advance(time_us);
  if (connections_.empty()) return;
  const int64_t timeout_us = int64_t{settings_.transfer_timeout_s} * kSecond;
  std::vector<std::pair<Key, int64_t>> idle;
  for (const auto& [key, c] : connections_) {
    if (time_us - c->last_packet_us >= timeout_us)
      idle.emplace_back(key, c->last_packet_us + timeout_us);
  }
  // Stamped when the timeout ran out, not when the scan noticed.
  for (const auto& [key, at_us] : idle) close(key, true, at_us);
}

}  // namespace regwatch::agent::boot
