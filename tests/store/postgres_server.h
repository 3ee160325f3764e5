#pragma once
// A PostgreSQL server of the test's own: initdb into a fresh 0700 folder, listening on
// 127.0.0.1 on a free port and on a socket in that folder, trust authentication (no one else
// can reach it), stopped (immediate) and removed when the object goes. Run as the `postgres`
// user when the test runs as root (initdb and postgres refuse root).
//
//   auto server = PostgresServer::start();
//   if (!server) GTEST_SKIP() << server.error().message;   // "not_installed" only
//   auto url = (*server)->create_database("events_test");  // a fresh, empty database
//
// Default settings, so durability tests see the real thing (fsync on), except a small
// shared_buffers. The binaries: $REGWATCH_POSTGRES_BIN if set, else the newest
// /usr/lib/postgresql/*/bin.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "common/result.h"

namespace regwatch::test {

class PostgresServer {
 public:
  // Errors: "not_installed" (no PostgreSQL binaries: skip, unless $REGWATCH_REQUIRE_POSTGRES is
  // set, when it is "missing"), anything else is a failure.
  static Result<std::unique_ptr<PostgresServer>> start();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // postgresql://postgres@127.0.0.1:PORT/regwatch, created at start.
  std::string url() const { return url_for("regwatch"); }
  std::string url_for(const std::string& database) const;
  // Creates an empty database (letters, digits and _ only) and gives its URL.
  Result<std::string> create_database(const std::string& name);

  // SIGKILL to the postmaster, as a crash would; returns once it and every process it had
  // started are gone, so the next statement on a connection to it fails.
  Status kill_postmaster();
  // Starts it again on the same port and folder (after kill_postmaster or stop).
  Status restart();
  // pg_ctl stop -m immediate; the folder stays until the object goes.
  Status stop();

  // For ctest's fixture, which starts the server in one process and stops it from another:
  // the object then leaves it running and its folder in place, and stop_detached() ends both.
  void detach() { detached_ = true; }
  const std::filesystem::path& bin() const { return bin_; }
  const std::filesystem::path& root() const { return root_; }
  static Status stop_detached(const std::filesystem::path& bin, const std::filesystem::path& root);

 private:
  PostgresServer(std::filesystem::path bin, std::filesystem::path root, int port)
      : bin_(std::move(bin)), root_(std::move(root)), port_(port) {}
  Status run_start();
  std::filesystem::path data_dir() const { return root_ / "data"; }

  std::filesystem::path bin_;
  std::filesystem::path root_;
  int port_;  // on the command line, not in postgresql.conf: a retry may change it
  bool detached_ = false;
};

}  // namespace regwatch::test
