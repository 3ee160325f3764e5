// The PostgreSQL driver (collector/store/postgres_database.h) against a real server of the
// test's own (postgres_server.h): binds and reads, changes, errors and their codes, prepared
// statements' life, the session's settings, a killed server, and schema/postgresql applied.
#include "collector/store/postgres_database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <limits>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "collector/store/migrations.h"
#include "collector/store/postgres_connection.h"
#include "collector/store/postgres_statement.h"
#include "collector/store/store_backend.h"
#include "tests/store/postgres_server.h"
#include "tests/store/postgres_suite.h"

namespace regwatch::collector::store {
namespace {

using regwatch::test::PostgresServer;

constexpr int kBusyTimeoutMs = 2500;

std::unique_ptr<StatementDriver> prepare(Database& db, std::string_view sql) {
  auto statement = db.prepare(sql);
  EXPECT_TRUE(statement.ok()) << statement.error().message;
  return statement.ok() ? std::move(statement).value() : nullptr;
}

// Runs a statement that returns one row and gives its first column as an integer.
int64_t one_int(Database& db, std::string_view sql) {
  auto statement = prepare(db, sql);
  if (statement == nullptr) return -1;
  const int rc = statement->step();
  EXPECT_EQ(rc, kStepRow) << db.last_error(rc, sql).message;
  return rc == kStepRow ? statement->column_int(0) : -1;
}

std::string one_text(Database& db, std::string_view sql) {
  auto statement = prepare(db, sql);
  if (statement == nullptr) return {};
  const int rc = statement->step();
  EXPECT_EQ(rc, kStepRow) << db.last_error(rc, sql).message;
  return rc == kStepRow ? std::string(statement->column_text(0)) : std::string();
}

void exec_ok(Database& db, std::string_view sql) {
  auto done = db.exec(sql);
  ASSERT_TRUE(done.ok()) << done.error().message;
}

// How many statements this connection holds prepared on the server.
int64_t prepared_on_server(Database& db) {
  return one_int(db, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'regwatch\\_%'");
}

// One server for the suite, one fresh database per test.
class PostgresDatabaseTest : public regwatch::test::PostgresSuite {
 protected:
  void SetUp() override {
    PostgresSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    url_ = fresh_database("t_");
    ASSERT_FALSE(url_.empty());
    db_ = open(url_);
    ASSERT_NE(db_, nullptr);
  }

  static DatabasePtr open(const std::string& url, bool read_only = false) {
    auto db = open_postgres_database(url, read_only, kBusyTimeoutMs);
    EXPECT_TRUE(db.ok()) << db.error().message;
    return db.ok() ? std::move(db).value() : nullptr;
  }

  std::string url_;
  DatabasePtr db_;
};

TEST_F(PostgresDatabaseTest, IsPostgresql) {
  EXPECT_EQ(db_->dialect(), Dialect::kPostgresql);
  EXPECT_EQ(db_->sqlite_handle(), nullptr);
  EXPECT_EQ(db_->location(), url_);
}

TEST_F(PostgresDatabaseTest, EveryTypeBindsAndReadsBack) {
  exec_ok(*db_, "CREATE TABLE t (k BIGINT PRIMARY KEY, i BIGINT, s TEXT, b BYTEA)");
  auto insert = prepare(*db_, "INSERT INTO t (k, i, s, b) VALUES (?1, ?2, ?3, ?4)");
  ASSERT_NE(insert, nullptr);
  const std::string bytes("\0\x01\xff\x80z\0", 6);
  insert->bind_int(1, 1);
  insert->bind_int(2, -42);
  insert->bind_text(3, "héllo 'quoted' \\ back");
  insert->bind_blob(4, bytes);
  ASSERT_EQ(insert->step(), kStepDone) << db_->last_error(1, "insert").message;
  insert->reset();
  insert->bind_int(1, 2);
  insert->bind_null(2);
  insert->bind_text(3, "");  // empty text is '' and not NULL
  insert->bind_blob(4, "");
  ASSERT_EQ(insert->step(), kStepDone) << db_->last_error(1, "insert").message;
  insert->reset();
  insert->bind_int(1, 3);  // never bound: NULL, as in SQLite
  ASSERT_EQ(insert->step(), kStepDone) << db_->last_error(1, "insert").message;

  auto select = prepare(*db_, "SELECT i, s, b, s IS NULL, b IS NULL FROM t ORDER BY k");
  ASSERT_EQ(select->step(), kStepRow);
  EXPECT_EQ(select->column_int(0), -42);
  EXPECT_EQ(select->column_text(1), "héllo 'quoted' \\ back");
  EXPECT_EQ(select->column_blob(2), bytes);
  EXPECT_FALSE(select->column_is_null(2));
  ASSERT_EQ(select->step(), kStepRow);
  EXPECT_TRUE(select->column_is_null(0));
  EXPECT_EQ(select->column_int(0), 0);
  EXPECT_FALSE(select->column_is_null(1));
  EXPECT_EQ(select->column_text(1), "");
  EXPECT_EQ(select->column_int(3), 0);  // '' is not NULL
  EXPECT_EQ(select->column_blob(2), "");
  EXPECT_FALSE(select->column_is_null(2));
  ASSERT_EQ(select->step(), kStepRow);
  EXPECT_TRUE(select->column_is_null(1));
  EXPECT_EQ(select->column_int(3), 1);
  EXPECT_EQ(select->column_int(4), 1);
  EXPECT_EQ(select->step(), kStepDone);
  EXPECT_EQ(select->step(), kStepDone);
}

TEST_F(PostgresDatabaseTest, BlobsKeepEveryByte) {
  exec_ok(*db_, "CREATE TABLE blobs (b BYTEA NOT NULL)");
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  all += all;
  auto insert = prepare(*db_, "INSERT INTO blobs (b) VALUES (?)");
  insert->bind_blob(1, all);
  ASSERT_EQ(insert->step(), kStepDone) << db_->last_error(1, "insert").message;
  EXPECT_EQ(one_int(*db_, "SELECT length(b) FROM blobs"), 512);
  auto select = prepare(*db_, "SELECT b, b FROM blobs");
  ASSERT_EQ(select->step(), kStepRow);
  // Both columns' views stay valid together until the next step.
  const std::string_view first = select->column_blob(0);
  const std::string_view second = select->column_blob(1);
  EXPECT_EQ(first, all);
  EXPECT_EQ(second, all);
}

TEST_F(PostgresDatabaseTest, Int64ExtremesRoundTrip) {
  exec_ok(*db_, "CREATE TABLE n (v BIGINT)");
  auto insert = prepare(*db_, "INSERT INTO n (v) VALUES (?1)");
  for (const int64_t v : {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                          int64_t{0}, int64_t{1} << 53}) {
    insert->reset();
    insert->bind_int(1, v);
    ASSERT_EQ(insert->step(), kStepDone) << db_->last_error(1, "insert").message;
  }
  auto select = prepare(*db_, "SELECT v FROM n ORDER BY v");
  ASSERT_EQ(select->step(), kStepRow);
  EXPECT_EQ(select->column_int(0), std::numeric_limits<int64_t>::min());
  ASSERT_EQ(select->step(), kStepRow);
  EXPECT_EQ(select->column_int(0), 0);
  ASSERT_EQ(select->step(), kStepRow);
  EXPECT_EQ(select->column_int(0), int64_t{1} << 53);
  ASSERT_EQ(select->step(), kStepRow);
  EXPECT_EQ(select->column_int(0), std::numeric_limits<int64_t>::max());
}

TEST_F(PostgresDatabaseTest, ColumnIntReadsSumsDecimalsAndBooleans) {
  exec_ok(*db_, "CREATE TABLE n (v BIGINT); INSERT INTO n VALUES (40), (2)");
  EXPECT_EQ(one_int(*db_, "SELECT sum(v) FROM n"), 42);  // a numeric
  EXPECT_EQ(one_int(*db_, "SELECT 7.9::numeric"), 7);
  EXPECT_EQ(one_int(*db_, "SELECT true"), 1);
  EXPECT_EQ(one_int(*db_, "SELECT false"), 0);
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM n WHERE v > 10"), 1);
}

TEST_F(PostgresDatabaseTest, ChangesCountsTheLastCommand) {
  exec_ok(*db_, "CREATE TABLE c (k TEXT PRIMARY KEY, v BIGINT)");
  auto insert = prepare(*db_, "INSERT INTO c (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO NOTHING");
  for (const char* key : {"a", "b", "c"}) {
    insert->reset();
    insert->bind_text(1, key);
    insert->bind_int(2, 1);
    ASSERT_EQ(insert->step(), kStepDone);
    EXPECT_EQ(db_->changes(), 1);
  }
  insert->reset();
  insert->bind_text(1, "a");
  insert->bind_int(2, 2);
  ASSERT_EQ(insert->step(), kStepDone);
  EXPECT_EQ(db_->changes(), 0);  // the conflict changed nothing
  auto update = prepare(*db_, "UPDATE c SET v = v + 1 WHERE k <> ?");
  update->bind_text(1, "c");
  ASSERT_EQ(update->step(), kStepDone);
  EXPECT_EQ(db_->changes(), 2);
  // A query changes nothing and leaves the count alone, as SQLite's changes() does.
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM c"), 3);
  EXPECT_EQ(db_->changes(), 2);
  exec_ok(*db_, "DELETE FROM c");
  EXPECT_EQ(db_->changes(), 3);
}

TEST_F(PostgresDatabaseTest, AUniqueViolationIsAConstraintError) {
  exec_ok(*db_, "CREATE TABLE u (k TEXT PRIMARY KEY)");
  auto insert = prepare(*db_, "INSERT INTO u (k) VALUES (?1)");
  insert->bind_text(1, "x");
  ASSERT_EQ(insert->step(), kStepDone);
  insert->reset();
  insert->bind_text(1, "x");
  const int rc = insert->step();
  EXPECT_EQ(rc, SQLITE_CONSTRAINT);
  const Error error = db_->last_error(rc, "storing u");
  EXPECT_EQ(error.code, "postgresql");
  EXPECT_EQ(error.message.rfind("storing u: duplicate key value", 0), 0u) << error.message;
  // The statement is usable again after the failure.
  insert->reset();
  insert->bind_text(1, "y");
  EXPECT_EQ(insert->step(), kStepDone);
}

TEST_F(PostgresDatabaseTest, RollbackUndoesTheTransaction) {
  exec_ok(*db_, "CREATE TABLE r (v BIGINT)");
  exec_ok(*db_, "BEGIN");
  auto insert = prepare(*db_, "INSERT INTO r (v) VALUES (?1)");
  insert->bind_int(1, 5);
  ASSERT_EQ(insert->step(), kStepDone);
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM r"), 1);
  exec_ok(*db_, "ROLLBACK");
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM r"), 0);
  // The statement prepared inside the rolled-back transaction still runs.
  insert->reset();
  insert->bind_int(1, 6);
  EXPECT_EQ(insert->step(), kStepDone) << db_->last_error(1, "insert").message;
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM r"), 1);
}

TEST_F(PostgresDatabaseTest, ReadOnlyRefusesAWrite) {
  exec_ok(*db_, "CREATE TABLE w (v BIGINT); INSERT INTO w VALUES (1)");
  DatabasePtr reader = open(url_, /*read_only=*/true);
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(one_int(*reader, "SELECT count(*) FROM w"), 1);
  auto insert = prepare(*reader, "INSERT INTO w (v) VALUES (?1)");
  insert->bind_int(1, 2);
  const int rc = insert->step();
  EXPECT_NE(rc, kStepDone);
  EXPECT_NE(rc, kStepRow);
  EXPECT_EQ(reader->last_error(rc, "writing").code, "no_access");
  EXPECT_EQ(reader->exec("DELETE FROM w").error().code, "no_access");
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM w"), 1);
}

TEST_F(PostgresDatabaseTest, ALockHeldTooLongIsBusy) {
  exec_ok(*db_, "CREATE TABLE l (v BIGINT)");
  auto other = open_postgres_database(url_, false, /*busy_timeout_ms=*/50);
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(one_text(**other, "SHOW lock_timeout"), "50ms");
  EXPECT_EQ(one_text(*db_, "SHOW lock_timeout"), "2500ms");
  exec_ok(*db_, "BEGIN; LOCK TABLE l IN ACCESS EXCLUSIVE MODE");
  auto read = prepare(**other, "SELECT count(*) FROM l");
  const int rc = read->step();
  EXPECT_EQ(rc, SQLITE_BUSY);
  EXPECT_EQ((*other)->last_error(rc, "reading").code, "busy");
  exec_ok(*db_, "COMMIT");
  read->reset();
  EXPECT_EQ(read->step(), kStepRow);
}

// A server that does not answer within the reply timeout is taken for gone, whatever keeps it
// silent (here a sleep; behind a cut network, nothing comes back at all): the call fails
// "unavailable" at the deadline, not when the server answers, and the next one connects anew.
TEST_F(PostgresDatabaseTest, ASilentServerIsUnavailableAtTheReplyTimeout) {
  set_postgres_reply_timeout(*db_, std::chrono::milliseconds(300));
  const int64_t before = one_int(*db_, "SELECT pg_backend_pid()");
  auto sleep = prepare(*db_, "SELECT pg_sleep(5)");
  const auto start = std::chrono::steady_clock::now();
  const int rc = sleep->step();
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(rc, SQLITE_IOERR);
  const Error error = db_->last_error(rc, "sleeping");
  EXPECT_EQ(error.code, "unavailable");
  EXPECT_NE(error.message.find("no reply from PostgreSQL within 300 ms"), std::string::npos)
      << error.message;
  EXPECT_GE(waited, std::chrono::milliseconds(300));
  EXPECT_LT(waited, std::chrono::seconds(3));
  // (A read runs once more on a new connection, as after a restart: twice the timeout.)
  // exec() too, and then a new session, with its settings, that works.
  const Status slept = db_->exec("SELECT pg_sleep(5)");
  ASSERT_FALSE(slept.ok());
  EXPECT_EQ(slept.error().code, "unavailable");
  EXPECT_NE(one_int(*db_, "SELECT pg_backend_pid()"), before);
  EXPECT_EQ(one_text(*db_, "SHOW lock_timeout"), "2500ms");
  // Zero waits for as long as it takes again.
  set_postgres_reply_timeout(*db_, std::chrono::milliseconds(0));
  EXPECT_EQ(one_int(*db_, "SELECT 1 FROM pg_sleep(0.5)"), 1);
}

TEST_F(PostgresDatabaseTest, SessionSettings) {
  EXPECT_EQ(one_text(*db_, "SELECT current_setting('application_name')"), "regwatch-collector");
  EXPECT_EQ(one_text(*db_, "SHOW client_min_messages"), "warning");
  EXPECT_EQ(one_text(*db_, "SHOW bytea_output"), "hex");
  EXPECT_EQ(one_text(*db_, "SHOW default_transaction_read_only"), "off");
  // A transaction left idle by a collector cut off from the server ends, with its locks.
  EXPECT_EQ(one_text(*db_, "SHOW idle_in_transaction_session_timeout"), "30s");
  // The URI's own parameters win over the defaults.
  DatabasePtr named = open(url_ + "?application_name=elsewhere&connect_timeout=3");
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(one_text(*named, "SELECT current_setting('application_name')"), "elsewhere");
  DatabasePtr reader = open(url_, true);
  EXPECT_EQ(one_text(*reader, "SHOW default_transaction_read_only"), "on");
  // SQLite's busy timeout 0 does not wait; PostgreSQL's lock_timeout 0 would wait for ever.
  auto impatient = open_postgres_database(url_, false, 0);
  ASSERT_TRUE(impatient.ok()) << impatient.error().message;
  EXPECT_EQ(one_text(**impatient, "SHOW lock_timeout"), "1ms");
  // A notice goes to the debug log, not to stderr, and is no error.
  exec_ok(*db_, "CREATE TABLE IF NOT EXISTS q (v BIGINT); CREATE TABLE IF NOT EXISTS q (v BIGINT)");
}

TEST_F(PostgresDatabaseTest, PreparedStatementsAreReusedAndDeallocated) {
  exec_ok(*db_, "CREATE TABLE p (v BIGINT)");
  {
    auto insert = prepare(*db_, "INSERT INTO p (v) VALUES (?1)");
    auto* driver = dynamic_cast<PostgresStatement*>(insert.get());
    ASSERT_NE(driver, nullptr);
    EXPECT_EQ(driver->server_name(), "");  // prepared at the first step, not before
    insert->bind_int(1, 1);
    ASSERT_EQ(insert->step(), kStepDone);
    const std::string name = driver->server_name();
    EXPECT_FALSE(name.empty());
    insert->reset();
    insert->bind_int(1, 2);
    ASSERT_EQ(insert->step(), kStepDone);
    EXPECT_EQ(driver->server_name(), name);
    EXPECT_EQ(prepared_on_server(*db_), 2);  // insert, and the count's own
    // NULL fits the prepared type: no new preparation.
    insert->reset();
    insert->bind_null(1);
    ASSERT_EQ(insert->step(), kStepDone);
    EXPECT_EQ(driver->server_name(), name);
  }
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM p"), 3);
  // The insert went with its statement; the count's own went too, before this one's.
  EXPECT_EQ(prepared_on_server(*db_), 1);
}

TEST_F(PostgresDatabaseTest, AChangedBindTypePreparesAgain) {
  // $1 + 1 with $1 untyped is integer (int4): a NULL first, then an int8 too big for int4.
  auto add = prepare(*db_, "SELECT ?1 + 1");
  auto* driver = dynamic_cast<PostgresStatement*>(add.get());
  ASSERT_NE(driver, nullptr);
  add->bind_null(1);
  ASSERT_EQ(add->step(), kStepRow) << db_->last_error(1, "add").message;
  EXPECT_TRUE(add->column_is_null(0));
  const std::string first = driver->server_name();
  add->reset();
  add->bind_int(1, 5'000'000'000);
  ASSERT_EQ(add->step(), kStepRow) << db_->last_error(1, "add").message;
  EXPECT_EQ(add->column_int(0), 5'000'000'001);
  EXPECT_NE(driver->server_name(), first);
  // The first one was deallocated: one for this statement, one for the count.
  EXPECT_EQ(prepared_on_server(*db_), 2);
}

TEST_F(PostgresDatabaseTest, AStatementEndingInAFailedTransactionIsHarmless) {
  exec_ok(*db_, "CREATE TABLE f (v BIGINT PRIMARY KEY)");
  exec_ok(*db_, "BEGIN");
  {
    auto insert = prepare(*db_, "INSERT INTO f (v) VALUES (?1)");
    insert->bind_int(1, 1);
    ASSERT_EQ(insert->step(), kStepDone);
    insert->reset();
    insert->bind_int(1, 1);
    EXPECT_EQ(insert->step(), SQLITE_CONSTRAINT);
    // The transaction now refuses everything but ROLLBACK, DEALLOCATE included.
  }
  exec_ok(*db_, "ROLLBACK");
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM f"), 0);
}

TEST_F(PostgresDatabaseTest, NoticesStayOffStderr) {
  exec_ok(*db_, "SET client_min_messages = notice");
  ::testing::internal::CaptureStderr();
  exec_ok(*db_, "DROP TABLE IF EXISTS not_there");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

// SQLite lets a statement skip a number (find_phones binds ?1 and ?3 for an exact name).
TEST_F(PostgresDatabaseTest, ASkippedParameterNumberIsFine) {
  auto statement = prepare(*db_, "SELECT ?1 || 'x' LIMIT ?3");
  statement->bind_text(1, "a");
  statement->bind_int(3, 5);
  ASSERT_EQ(statement->step(), kStepRow) << db_->last_error(1, "select").message;
  EXPECT_EQ(statement->column_text(0), "ax");
  // Bound all the same, as a caller sharing its binds between statements does.
  statement->reset();
  statement->bind_text(1, "b");
  statement->bind_int(2, 7);
  statement->bind_int(3, 5);
  ASSERT_EQ(statement->step(), kStepRow) << db_->last_error(1, "select").message;
  EXPECT_EQ(statement->column_text(0), "bx");
}

TEST_F(PostgresDatabaseTest, GreatestIsBuiltIn) {
  auto statement = prepare(*db_, "SELECT greatest(?1, ?2), greatest(?2, ?1)");
  statement->bind_int(1, 3);
  statement->bind_int(2, 7);
  ASSERT_EQ(statement->step(), kStepRow) << db_->last_error(1, "greatest").message;
  EXPECT_EQ(statement->column_int(0), 7);
  EXPECT_EQ(statement->column_int(1), 7);
}

TEST_F(PostgresDatabaseTest, CitextComparesWithoutCaseWithAnUntypedTextBind) {
  exec_ok(*db_, "CREATE EXTENSION IF NOT EXISTS citext");
  exec_ok(*db_, "CREATE TABLE phones (device CITEXT PRIMARY KEY, seen BIGINT NOT NULL)");
  auto upsert = prepare(*db_,
                        "INSERT INTO phones (device, seen) VALUES (?1, ?2) ON CONFLICT (device) "
                        "DO UPDATE SET seen = greatest(phones.seen, excluded.seen)");
  upsert->bind_text(1, "SEP0017943A98BA");
  upsert->bind_int(2, 10);
  ASSERT_EQ(upsert->step(), kStepDone) << db_->last_error(1, "upsert").message;
  upsert->reset();
  upsert->bind_text(1, "sep0017943a98ba");
  upsert->bind_int(2, 20);
  ASSERT_EQ(upsert->step(), kStepDone) << db_->last_error(1, "upsert").message;
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM phones"), 1);
  auto find = prepare(*db_, "SELECT device, seen FROM phones WHERE device = ?1");
  find->bind_text(1, "Sep0017943A98bA");
  ASSERT_EQ(find->step(), kStepRow) << db_->last_error(1, "find").message;
  EXPECT_EQ(find->column_text(0), "SEP0017943A98BA");
  EXPECT_EQ(find->column_int(1), 20);
  auto prefix = prepare(*db_, "SELECT count(*) FROM phones WHERE device LIKE ?1");
  prefix->bind_text(1, "sep00%");
  ASSERT_EQ(prefix->step(), kStepRow) << db_->last_error(1, "prefix").message;
  EXPECT_EQ(prefix->column_int(0), 1);
}

TEST_F(PostgresDatabaseTest, BadParametersAreNamedErrors) {
  auto bad = db_->prepare("SELECT ?0");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bad_placeholder");
  EXPECT_EQ(db_->last_error(SQLITE_ERROR, "preparing").code, "bad_placeholder");
  auto statement = prepare(*db_, "SELECT ?1");
  statement->bind_int(2, 1);
  const int rc = statement->step();
  EXPECT_EQ(rc, SQLITE_RANGE);
  EXPECT_EQ(db_->last_error(rc, "select").code, "bad_parameter");
  EXPECT_NE(db_->last_error(rc, "select").message.find("?2"), std::string::npos);
  // Reading a column that is not there gives nothing rather than crashing.
  statement->reset();
  statement->bind_int(1, 9);
  ASSERT_EQ(statement->step(), kStepRow);
  EXPECT_EQ(statement->column_int(5), 0);
  EXPECT_EQ(statement->column_text(-1), "");
  EXPECT_TRUE(statement->column_is_null(5));
  // A blob read of what is not bytea gives its text.
  EXPECT_EQ(statement->column_blob(0), "9");
  // Bad SQL fails at its first step, with the server's message.
  auto wrong = prepare(*db_, "SELECT FROM nowhere ?1");
  const int wrong_rc = wrong->step();
  EXPECT_NE(wrong_rc, kStepRow);
  EXPECT_NE(wrong_rc, kStepDone);
  EXPECT_EQ(db_->last_error(wrong_rc, "wrong").code, "postgresql");
}

TEST_F(PostgresDatabaseTest, ExecRunsSeveralStatementsAndReportsFailures) {
  exec_ok(*db_, "CREATE TABLE e (v BIGINT); INSERT INTO e VALUES (1); INSERT INTO e VALUES (2)");
  EXPECT_EQ(one_int(*db_, "SELECT sum(v) FROM e"), 3);
  auto failed = db_->exec("INSERT INTO nowhere VALUES (1)");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, "postgresql");
  EXPECT_NE(failed.error().message.find("nowhere"), std::string::npos);
}

TEST_F(PostgresDatabaseTest, ThePasswordIsNeverShown) {
  // Trust authentication ignores the password; it must still not show.
  const std::string with_password =
      "postgresql://postgres:s3cret@127.0.0.1:" + std::to_string(server().port()) + "/" +
      url_.substr(url_.rfind('/') + 1);
  DatabasePtr db = open(with_password);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->location().find("s3cret"), std::string::npos) << db->location();
  EXPECT_NE(db->location().find("postgres:***@127.0.0.1"), std::string::npos) << db->location();
}

TEST_F(PostgresDatabaseTest, AMalformedLocationIsNamed) {
  auto db = open_postgres_database("postgresql://u:pw@[::1/db?nonsense=1", false, 1000);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code, "bad_location");
  EXPECT_EQ(db.error().message.find(":pw@"), std::string::npos) << db.error().message;
}

// schema/postgresql/013_baseline.sql applies to an empty database, and every table takes a
// row as the stores write it.
TEST_F(PostgresDatabaseTest, TheBaselineSchemaApplies) {
  std::ifstream in(std::string(REGWATCH_SCHEMA_DIR) + "/postgresql/013_baseline.sql");
  ASSERT_TRUE(in.good());
  std::stringstream sql;
  sql << in.rdbuf();
  exec_ok(*db_, "BEGIN");
  exec_ok(*db_, sql.str());
  exec_ok(*db_, "COMMIT");
  // ?1 a text, ?2 an integer, ?3 a blob: enough to fill every NOT NULL column.
  struct Insert {
    const char* sql;
    bool has_blob;  // has ?3
  };
  const Insert inserts[] = {
      {"INSERT INTO events (agent_id, spool_incarnation, seq, event_time_us, receive_time_us, "
       "store_time_us, origin, source, kind, device, reason_code, payload, spoofed) VALUES "
       "(?1, ?1, ?2, ?2, ?2, ?2, ?1, ?1, ?1, ?1, ?2, ?3, ?2) "
       "ON CONFLICT (agent_id, spool_incarnation, seq) DO NOTHING",
       true},
      {"INSERT INTO incidents (id, state, class, scope_type, scope_name, start_time_us, "
       "end_time_us, phone_count, top_cause, updated_us, first_id, record) VALUES "
       "(?1, ?1, ?1, ?1, ?1, ?2, ?2, ?2, ?1, ?2, ?1, ?3)",
       true},
      {"INSERT INTO incident_ids (id, first_id) VALUES (?1, ?1 || ?2) ON CONFLICT (id) DO NOTHING",
       false},
      {"INSERT INTO incident_updates (first_id, at_us, id, state, class, scope_type, scope_name, "
       "phone_count, top_cause, change) VALUES (?1, ?2, ?1, ?1, ?1, ?1, ?1, ?2, ?1, ?1)",
       false},
      {"INSERT INTO alert_outbox (receiver, alert_key, seq, status, reason, created_us, due_us) "
       "VALUES (?1, ?1, ?2, ?1, ?1, ?2, ?2) ON CONFLICT (receiver, alert_key, seq) DO NOTHING",
       false},
      {"INSERT INTO silences (id, matchers, starts_us, ends_us, author, comment, created_us) "
       "VALUES (?1, ?1, ?2, ?2, ?1, ?1, ?2)",
       false},
      {"INSERT INTO sources (agent_id, origin, source, first_us, last_us, events) VALUES "
       "(?1, ?1, ?1, ?2, ?2, ?2) ON CONFLICT (agent_id, origin, source) DO UPDATE SET "
       "last_us = greatest(sources.last_us, excluded.last_us)",
       false},
      {"INSERT INTO condition_alerts (key, identity, state, starts_us, updated_us, record) "
       "VALUES (?1, ?1, ?1, ?2, ?2, ?3) ON CONFLICT (key) DO UPDATE SET state = excluded.state",
       true},
      {"INSERT INTO inputs (agent_id, source, origin, last_store_us, last_event_us, events) "
       "VALUES (?1, ?1, ?1, ?2, ?2, ?2)",
       false},
      {"INSERT INTO phones (device, last_seen_us) VALUES (?1, ?2)", false},
  };
  for (const Insert& insert : inserts) {
    auto statement = prepare(*db_, insert.sql);
    ASSERT_NE(statement, nullptr);
    statement->bind_text(1, "SEPABC");
    statement->bind_int(2, 1);
    if (insert.has_blob) statement->bind_blob(3, std::string("\0\1", 2));
    const int rc = statement->step();
    ASSERT_EQ(rc, kStepDone) << db_->last_error(rc, insert.sql).message;
    EXPECT_EQ(db_->changes(), 1) << insert.sql;
  }
  // Identity columns number the rows.
  EXPECT_EQ(one_int(*db_, "SELECT id FROM events"), 1);
  EXPECT_EQ(one_int(*db_, "SELECT seq FROM incident_updates"), 1);
  EXPECT_EQ(one_int(*db_, "SELECT id FROM alert_outbox"), 1);
  // phones.device compares without case; the defaults fill what the insert left out.
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM phones WHERE device = 'sepabc' AND mac = ''"), 1);
  EXPECT_EQ(one_int(*db_, "SELECT attempts + given_up FROM alert_outbox"), 0);
}

// The migration runner (migrations.h) takes an empty database to the latest version with the
// baseline, and the stores write and read through the driver: the parts meet.
TEST_F(PostgresDatabaseTest, TheStoresRunOnIt) {
  auto version = apply_migrations(db_.get(), url_);
  ASSERT_TRUE(version.ok()) << version.error().message;
  EXPECT_EQ(*version, latest_schema_version());
  auto again = apply_migrations(db_.get(), url_);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *version);

  auto backend = open_store_backend(url_);
  ASSERT_TRUE(backend.ok()) << backend.error().message;
  auto sink = (*backend)->open_sink();
  ASSERT_TRUE(sink.ok()) << sink.error().message;
  std::vector<v1::Event> events(3);
  for (size_t i = 0; i < events.size(); ++i) {
    events[i].set_agent_id("a1");
    events[i].set_seq(i + 1);
    events[i].set_event_time_us(1000 + static_cast<int64_t>(i));
    events[i].set_receive_time_us(1000 + static_cast<int64_t>(i));
    events[i].set_origin("ucm-sub1");
    events[i].set_kind(v1::PHONE_UNREGISTERED);
    events[i].mutable_phone()->set_device_name("SEP00000000000" + std::to_string(i));
  }
  auto stored = (*sink)->insert_batch(std::span(events.data(), 2), 2000, "inc1");
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->stored, 2u);
  // A resend of the second with the third: the second once.
  auto resent = (*sink)->insert_batch(std::span(events.data() + 1, 2), 3000, "inc1");
  ASSERT_TRUE(resent.ok()) << resent.error().message;
  EXPECT_EQ(resent->stored, 1u);
  EXPECT_EQ(resent->duplicates, 1u);
  auto source = (*backend)->open_source();
  ASSERT_TRUE(source.ok()) << source.error().message;
  auto status = (*source)->status();
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_EQ(status->total_events(), 3u);
  // The phones summary keys on the name folded to upper case (schema/016).
  EXPECT_EQ(one_int(*db_, "SELECT count(*) FROM phones WHERE device = 'SEP000000000001'"), 1);

  // The reads correlation and the dashboard make. (query() is left to the stores' own tests on
  // both backends.)
  const std::vector<std::string> kinds = {"phone_unregistered"};
  size_t seen = 0;
  auto count = [&](int64_t, v1::Event&&) { ++seen; };
  auto scanned = (*source)->scan_events(0, 10'000, kinds, 10, count);
  ASSERT_TRUE(scanned.ok()) << scanned.error().message;
  auto window = (*source)->scan_window(0, kinds, 10, count);
  ASSERT_TRUE(window.ok()) << window.error().message;
  auto after = (*source)->scan_after(1, kinds, 10, count);
  ASSERT_TRUE(after.ok()) << after.error().message;
  EXPECT_EQ(seen, 3u + 3u + 2u);
  size_t reports = 0;
  auto reported = (*source)->scan_phone_reports(
      0, 0, kinds, 10, [&](std::string_view, int64_t, std::string_view, int32_t) { ++reports; });
  ASSERT_TRUE(reported.ok()) << reported.error().message;
  EXPECT_EQ(reports, 3u);
  auto sightings = (*source)->scan_sightings(0, 10, [](const v1::Event&) {});
  ASSERT_TRUE(sightings.ok()) << sightings.error().message;
  auto inputs = (*source)->inputs(10);
  ASSERT_TRUE(inputs.ok()) << inputs.error().message;
  using Match = EventSource::PhoneMatch;
  for (const auto& [how, value, expected] :
       {std::tuple{Match::kDevice, "sep000000000002", 1u},
        std::tuple{Match::kDevicePrefix, "sep00", 3u}, std::tuple{Match::kText, "0000000001", 1u},
        std::tuple{Match::kMac, "00:00:00:00:00:01", 1u}, std::tuple{Match::kIp, "10.0.0.1", 0u}}) {
    auto phones = (*source)->find_phones(how, value, 10);
    ASSERT_TRUE(phones.ok()) << value << ": " << phones.error().message;
    EXPECT_EQ(phones->size(), expected) << value;
  }
  auto registered = (*source)->latest_registered_phones(10'000, 10);
  ASSERT_TRUE(registered.ok()) << registered.error().message;
}

// A server of its own: this test kills it.
TEST(PostgresDatabaseFaults, AKilledServerIsUnavailableAndPasswordsStayHidden) {
  auto server = PostgresServer::start();
  if (!server.ok() && server.error().code == "not_installed")
    GTEST_SKIP() << server.error().message;
  ASSERT_TRUE(server.ok()) << server.error().message;
  auto db = open_postgres_database((*server)->url(), false, kBusyTimeoutMs);
  ASSERT_TRUE(db.ok()) << db.error().message;
  exec_ok(**db, "CREATE TABLE k (v BIGINT)");
  auto insert = (*db)->prepare("INSERT INTO k (v) VALUES (?1)");
  ASSERT_TRUE(insert.ok());
  (*insert)->bind_int(1, 1);
  ASSERT_EQ((*insert)->step(), kStepDone);

  ASSERT_TRUE((*server)->kill_postmaster().ok());
  (*insert)->reset();
  (*insert)->bind_int(1, 2);
  const int rc = (*insert)->step();
  EXPECT_NE(rc, kStepDone);
  EXPECT_EQ((*db)->last_error(rc, "storing k").code, "unavailable");
  EXPECT_EQ((*db)->exec("SELECT 1").error().code, "unavailable");

  // Down: the error says so, and shows no password.
  const std::string with_password =
      "postgresql://postgres:s3cret@127.0.0.1:" + std::to_string((*server)->port()) + "/regwatch";
  auto refused = open_postgres_database(with_password, false, kBusyTimeoutMs);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "unavailable");
  EXPECT_EQ(refused.error().message.find("s3cret"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("postgres:***@"), std::string::npos);

  // Back: a new connection finds what was committed before the kill.
  auto restarted = (*server)->restart();
  ASSERT_TRUE(restarted.ok()) << restarted.error().message;
  auto again = open_postgres_database(with_password, false, kBusyTimeoutMs);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(one_int(**again, "SELECT count(*) FROM k"), 1);
}

TEST(PostgresLocation, PasswordsAreRedacted) {
  EXPECT_EQ(redact_postgres_location("postgresql://u:pw@db.example:5432/regwatch"),
            "postgresql://u:***@db.example:5432/regwatch");
  EXPECT_EQ(redact_postgres_location("postgres://u:p@ss@host/db"), "postgres://u:***@host/db");
  EXPECT_EQ(redact_postgres_location("postgresql://u@host/db"), "postgresql://u@host/db");
  EXPECT_EQ(redact_postgres_location("postgresql://host:5432/db"), "postgresql://host:5432/db");
  EXPECT_EQ(redact_postgres_location("postgresql://u:pw@host"), "postgresql://u:***@host");
  EXPECT_EQ(redact_postgres_location("postgresql://host/db?user=u&password=pw&sslmode=require"),
            "postgresql://host/db?user=u&password=***&sslmode=require");
  EXPECT_EQ(redact_postgres_location("postgresql://u:a@h1,h2:5433/db?password=x"),
            "postgresql://u:***@h1,h2:5433/db?password=***");
  EXPECT_EQ(redact_postgres_location("postgresql:///db?host=/run/postgresql"),
            "postgresql:///db?host=/run/postgresql");
  EXPECT_EQ(redact_postgres_location(""), "");
}

TEST(PostgresErrorCodes, SqlstateMapsToTheContractsCodes) {
  EXPECT_EQ(postgres_error_code("53100", true), "disk_full");
  EXPECT_EQ(postgres_error_code("53200", true), "disk_full");
  EXPECT_EQ(postgres_error_code("08006", true), "unavailable");
  EXPECT_EQ(postgres_error_code("57P01", true), "unavailable");
  EXPECT_EQ(postgres_error_code("", false), "unavailable");
  EXPECT_EQ(postgres_error_code("23505", false), "unavailable");
  EXPECT_EQ(postgres_error_code("40001", true), "busy");
  EXPECT_EQ(postgres_error_code("40P01", true), "busy");
  EXPECT_EQ(postgres_error_code("55P03", true), "busy");
  EXPECT_EQ(postgres_error_code("42501", true), "no_access");
  EXPECT_EQ(postgres_error_code("25006", true), "no_access");
  EXPECT_EQ(postgres_error_code("23505", true), "postgresql");
  EXPECT_EQ(postgres_error_code("", true), "postgresql");
  EXPECT_EQ(postgres_step_code("23505", true), SQLITE_CONSTRAINT);
  EXPECT_EQ(postgres_step_code("55P03", true), SQLITE_BUSY);
  EXPECT_EQ(postgres_step_code("53100", true), SQLITE_FULL);
}

}  // namespace
}  // namespace regwatch::collector::store
