#pragma once
// What the ingest benchmarks share (bench/ingest_bench on SQLite, bench/ingest_postgres_bench):
// the syslog archive they replay, the rows it becomes, and the collector and agent processes
// of the real path (regwatch-agent --replay-syslog -> spool -> gRPC -> regwatch-collector).
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "regwatch/v1/event.pb.h"

namespace regwatch::bench {

// Line i of the archive: a CUCM EndPointUnregistered alarm for its own phone, 10 ms apart.
std::string archive_line(size_t i);
void write_archive(const std::string& path, size_t lines);
// The events the archive's lines parse into, as the replay stores them under agent_id (seq
// from 1), for the baselines.
std::vector<regwatch::v1::Event> parse_archive(const std::string& path,
                                               const std::string& agent_id);

// A collector on 127.0.0.1 (port 0) storing into db, its output in dir/name.out(.err).
struct Collector {
  pid_t pid = -1;
  std::string address;     // "" when it did not start
  double cpu_seconds = 0;  // user + system over its whole run, once stop_collector waited for it
};
Collector start_collector(const std::string& build_dir, const std::string& db,
                          const std::string& dir, const std::string& name);
// SIGTERM, then waits for it (and notes its CPU time).
void stop_collector(Collector& collector);

// regwatch-agent --replay-syslog archive to the collector, as replay_agent_id, its spool in
// dir/name.spool; returns its pid (-1: not started).
pid_t start_replay(const std::string& build_dir, const std::string& address,
                   const std::string& archive, const std::string& replay_agent_id,
                   const std::string& dir, const std::string& name);
// How a process started above ended.
struct ProcessEnd {
  bool success = false;    // exited 0
  double cpu_seconds = 0;  // user + system over its whole run
};
ProcessEnd wait_end(pid_t pid);
// Waits for a process started above; true when it exited 0.
inline bool wait_success(pid_t pid) {
  return wait_end(pid).success;
}

}  // namespace regwatch::bench
