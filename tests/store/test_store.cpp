#include "tests/store/test_store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include "tests/store/postgres_server.h"

namespace regwatch::test {
namespace {

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};

// What this process knows of its server: the fixture's URL prefix, or a server of its own
// (stopped and removed at exit, when the static goes), and the databases handed out so far.
struct SharedServer {
  std::mutex mutex;
  std::optional<std::string> url_prefix;  // postgresql://postgres@127.0.0.1:PORT/
  std::unique_ptr<PostgresServer> own;
  std::map<std::string, std::string> locations;  // SQLite path -> URL
  int created = 0;
};

SharedServer& shared() {
  static SharedServer server;
  return server;
}

// The fixture's file holds the URL prefix on its first line; empty when there is none.
std::string fixture_url_prefix() {
  const char* file = std::getenv("REGWATCH_TEST_PG_SERVER_FILE");
  if (file == nullptr) return {};
  std::ifstream in(file);
  std::string prefix;
  std::getline(in, prefix);
  return prefix;
}

Result<std::string> server_url_prefix(SharedServer& server) {
  if (server.url_prefix) return *server.url_prefix;
  if (std::string prefix = fixture_url_prefix(); !prefix.empty()) {
    server.url_prefix = prefix;
    return prefix;
  }
  auto started = PostgresServer::start();
  if (!started) return started.error();
  server.own = std::move(*started);
  server.url_prefix = server.own->url_for("");
  return *server.url_prefix;
}

Status create_database(const std::string& url_prefix, const std::string& name) {
  const std::unique_ptr<PGconn, PgConnCloser> conn(PQconnectdb((url_prefix + "postgres").c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return make_error("connect", url_prefix + ": " + PQerrorMessage(conn.get()));
  }
  const std::string sql = "CREATE DATABASE " + name;
  const std::unique_ptr<PGresult, PgResultClearer> result(PQexec(conn.get(), sql.c_str()));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return make_error("sql", sql + ": " + PQerrorMessage(conn.get()));
  }
  return Ok{};
}

}  // namespace

bool testing_postgresql() {
  const char* store = std::getenv("REGWATCH_TEST_STORE");
  return store != nullptr && std::string(store) == "postgresql";
}

std::string test_store_location(const std::string& sqlite_path) {
  if (!testing_postgresql()) return sqlite_path;
  SharedServer& server = shared();
  const std::lock_guard lock(server.mutex);
  if (auto known = server.locations.find(sqlite_path); known != server.locations.end()) {
    return known->second;
  }
  auto prefix = server_url_prefix(server);
  if (!prefix) {
    ADD_FAILURE() << "no PostgreSQL server for the test: " << prefix.error().message;
    return sqlite_path;
  }
  // Unique on a server shared by every test process of a run: a pid can come back, so a random
  // number as well.
  static std::random_device entropy;
  const std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(entropy()) + "_" +
                           std::to_string(++server.created);
  if (auto created = create_database(*prefix, name); !created) {
    ADD_FAILURE() << "cannot create the test's database: " << created.error().message;
    return sqlite_path;
  }
  std::string url = *prefix + name;
  server.locations.emplace(sqlite_path, url);
  return url;
}

Status break_event_inserts(collector::store::Database* db) {
  if (db->dialect() == collector::store::Dialect::kSqlite) {
    return collector::store::exec(db,
                                  "CREATE TRIGGER fail_inserts BEFORE INSERT ON events "
                                  "BEGIN SELECT RAISE(ABORT, 'disk is on fire'); END");
  }
  return collector::store::exec(
      db,
      "CREATE FUNCTION fail_inserts() RETURNS trigger LANGUAGE plpgsql AS "
      "'BEGIN RAISE EXCEPTION ''disk is on fire''; END'; "
      "CREATE TRIGGER fail_inserts BEFORE INSERT ON events "
      "FOR EACH ROW EXECUTE FUNCTION fail_inserts()");
}

Status heal_event_inserts(collector::store::Database* db) {
  if (db->dialect() == collector::store::Dialect::kSqlite) {
    return collector::store::exec(db, "DROP TRIGGER fail_inserts");
  }
  return collector::store::exec(
      db, "DROP TRIGGER fail_inserts ON events; DROP FUNCTION fail_inserts()");
}

}  // namespace regwatch::test
