// ctest's fixture for the store tests on PostgreSQL: one server for the whole run rather than one
// per test process (gtest_discover_tests runs a process per test, and a start takes ~1.5 s).
//
//   regwatch_test_pg_server start FILE   starts it, writes FILE: URL prefix, binaries, folder
//   regwatch_test_pg_server stop FILE    stops it, removes its folder and FILE
//
// The tests find FILE through $REGWATCH_TEST_PG_SERVER_FILE (tests/store/test_store.h).
#include <libpq-fe.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

#include "tests/store/postgres_server.h"

namespace {

// Every test makes a database and its schema: without a flush to disk per commit that is several
// times faster. The tests sharing this server are not about durability (those start their own).
struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};

bool skip_flushes(const std::string& url) {
  const std::unique_ptr<PGconn, PgConnCloser> conn(PQconnectdb(url.c_str()));
  bool ok = PQstatus(conn.get()) == CONNECTION_OK;
  for (const char* sql : {"ALTER SYSTEM SET fsync = off",
                          "ALTER SYSTEM SET synchronous_commit = off", "SELECT pg_reload_conf()"}) {
    if (!ok) break;
    const std::unique_ptr<PGresult, PgResultClearer> result(PQexec(conn.get(), sql));
    const ExecStatusType status = PQresultStatus(result.get());
    ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }
  if (!ok) std::cerr << "cannot turn flushes off: " << PQerrorMessage(conn.get()) << "\n";
  return ok;
}

int start(const std::filesystem::path& file) {
  auto server = regwatch::test::PostgresServer::start();
  if (!server) {
    std::cerr << "cannot start PostgreSQL: " << server.error().message << "\n";
    return 1;
  }
  if (!skip_flushes((*server)->url_for("postgres"))) return 1;
  std::ofstream out(file, std::ios::trunc);
  out << (*server)->url_for("") << "\n"
      << (*server)->bin().string() << "\n"
      << (*server)->root().string() << "\n";
  if (!out) {
    std::cerr << "cannot write " << file << "\n";
    return 1;  // the server goes with the object
  }
  (*server)->detach();
  std::cout << "PostgreSQL for the tests at " << (*server)->url_for("") << "\n";
  return 0;
}

int stop(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string prefix;
  std::string bin;
  std::string root;
  if (!std::getline(in, prefix) || !std::getline(in, bin) || !std::getline(in, root)) {
    std::cerr << "no server recorded in " << file << "\n";
    return 1;
  }
  in.close();
  std::error_code ec;
  std::filesystem::remove(file, ec);
  if (auto stopped = regwatch::test::PostgresServer::stop_detached(bin, root); !stopped) {
    std::cerr << "cannot stop PostgreSQL: " << stopped.error().message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: regwatch_test_pg_server start|stop FILE\n";
    return 2;
  }
  const std::string_view command = argv[1];
  if (command == "start") return start(argv[2]);
  if (command == "stop") return stop(argv[2]);
  std::cerr << "unknown command " << command << "\n";
  return 2;
}
