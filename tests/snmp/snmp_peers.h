#pragma once
// Real SNMP peers for tests, started and stopped by the test itself on
// loopback: snmpsimd serving recordings the test writes (community = file
// name), and net-snmp's snmpd serving this machine's IF-MIB.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/snmp/snmp_client.h"

extern char** environ;

namespace regwatch::agent::snmp::testing {

inline uint16_t free_udp_port() {
  static uint16_t next = static_cast<uint16_t>(20000 + (getpid() % 20000));
  return next++;
}

class SnmpPeer {
 public:
  ~SnmpPeer() { stop(); }
  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  // Polls the peer with short requests until it answers (bounded).
  bool wait_ready(const std::string& community,
                  std::chrono::seconds limit = std::chrono::seconds(60)) {
    SnmpTargetSettings settings;
    settings.address = address();
    settings.community = community;
    settings.timeout = std::chrono::milliseconds(300);
    settings.retries = 0;
    auto client = SnmpClient::open(settings);
    if (!client.ok()) return false;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if ((*client)->get({*parse_oid("1.3.6.1.2.1.1.3.0")}).ok()) return true;
    }
    return false;
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 protected:
  void spawn(std::vector<std::string> args, const std::string& log) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
  }
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// snmpsimd with a data directory of .snmprec files ("OID|type|value" lines).
class SnmpSim : public SnmpPeer {
 public:
  explicit SnmpSim(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_ / "data");
    std::filesystem::create_directories(dir_ / "cache");
    // snmpsimd drops root to nobody, which must read the data and write the cache.
    chmod(dir_.parent_path().c_str(), 0755);  // the test's mkdtemp directory is 0700
    chmod(dir_.c_str(), 0755);
    chmod((dir_ / "data").c_str(), 0755);
    chmod((dir_ / "cache").c_str(), 0777);
  }
  void record(const std::string& community, const std::string& text) {
    const auto path = dir_ / "data" / (community + ".snmprec");
    std::ofstream(path) << text;
    chmod(path.c_str(), 0644);
  }
  void start() {
    port_ = free_udp_port();
    spawn({"snmpsimd", "--data-dir=" + (dir_ / "data").string(),
           "--cache-dir=" + (dir_ / "cache").string(), "--agent-udpv4-endpoint=" + address(),
           "--process-user=nobody", "--process-group=nogroup"},
          (dir_ / "snmpsimd.log").string());
  }

 private:
  std::filesystem::path dir_;
};

// net-snmp's snmpd with a minimal configuration of our own.
class SnmpDaemon : public SnmpPeer {
 public:
  SnmpDaemon(const std::filesystem::path& dir, const std::string& community) {
    port_ = free_udp_port();
    const auto conf = dir / "snmpd.conf";
    std::ofstream(conf) << "agentAddress udp:" << address() << "\nrocommunity " << community
                        << " 127.0.0.1\n"
                        << "createUser regwatch-v3 SHA regwatch-auth-pass AES regwatch-priv-pass\n"
                        << "rouser regwatch-v3 priv\n";
    // -p/persistent dir in the test's directory: snmpd keeps its USM engine state there.
    spawn({"snmpd", "-f", "-Lo", "-C", "-c", conf.string(),
           "--persistentDir=" + (dir / "persist").string()},
          (dir / "snmpd.log").string());
  }
};

}  // namespace regwatch::agent::snmp::testing
