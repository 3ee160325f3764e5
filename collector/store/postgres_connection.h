#pragma once
// One libpq connection, as a PostgresDatabase and its statements share it: the PGconn (owned
// here), the error of the last failed call and the rows the last command changed, which
// Database::last_error() and changes() report whichever statement ran last.
#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace regwatch::collector::store {

struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct PgResultClearer {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnCloser>;
using PgResultPtr = std::unique_ptr<PGresult, PgResultClearer>;

// The code database.h lists for a failure: from the SQLSTATE (empty when libpq failed on its
// own, e.g. a lost connection) and whether the connection is still up. A pure function.
//   class 53 -> disk_full; class 08, 57P01-57P03 or a connection not up -> unavailable;
//   40001, 40P01, 55P03 -> busy; 42501, 25006 -> no_access; anything else -> postgresql.
std::string postgres_error_code(std::string_view sqlstate, bool connection_ok);

// What step() returns for a failure: SQLite's code for the same kind of failure, so that a
// caller that tells SQLITE_BUSY or SQLITE_CONSTRAINT apart does so on both backends.
int postgres_step_code(std::string_view sqlstate, bool connection_ok);

class PostgresConnection {
 public:
  explicit PostgresConnection(PgConnPtr conn) : conn_(std::move(conn)) {}

  PGconn* get() const { return conn_.get(); }
  bool connected() const { return PQstatus(conn_.get()) == CONNECTION_OK; }

  // How long a command waits for the server's reply; zero (the default) waits for as long as
  // the connection lasts. TCP keepalives and tcp_user_timeout notice a server that stopped
  // acknowledging, but not one whose packets are acknowledged and never answered (a hung
  // server or middlebox, a proxy cut off from it): only a deadline of the caller's own does.
  void set_reply_timeout(std::chrono::milliseconds timeout) { reply_timeout_ = timeout; }
  // Runs a command sent by send (PQsendQuery, PQsendPrepare or PQsendQueryPrepared on the
  // connection, returning what they return) and gives its result as PQexec would: the first
  // error, else the last result; nullptr when it could not be sent (record() says why). The
  // connection is non-blocking, so that sending waits under the same deadline as the reply.
  // Past the deadline the server is taken for gone: the socket is shut down (libpq then finds
  // the connection closed, and revive() makes a new one) and record() reports "unavailable".
  template <typename Send>
  PgResultPtr run(Send send) {
    PQsetnonblocking(conn_.get(), 1);
    return await(send(conn_.get()) == 1);
  }

  // COPY ... FROM STDIN: runs sql, sends data as the whole of its input and waits for the
  // outcome, under the reply deadline as run(). Gives what record() gives for it: 0, or the
  // failure's code (a unique violation is SQLITE_CONSTRAINT); changes() is then the rows copied.
  int copy_in(const std::string& sql, std::string_view data);

  // A connection that went away (a restarted server, a network cut) is made again before the
  // next statement or transaction, never inside a transaction: its statements would otherwise
  // run outside it, half a batch committed. After a reconnect the session's settings are set
  // again and generation() goes up, so that statements prepare themselves anew.
  bool revive();
  uint64_t generation() const { return generation_; }
  // What configures a session (SET ...), run again after each reconnect.
  void remember_session_setting(std::string sql) { session_settings_.push_back(std::move(sql)); }
  // Tracks BEGIN / COMMIT / ROLLBACK run through exec() (the stores' only way to them).
  // BEGIN opens (once it ran); COMMIT and ROLLBACK close whatever happens to them (on a dead
  // connection the transaction is gone anyway). Call note_transaction_end before revive() and
  // note_transaction_begin after it.
  void note_transaction_end(std::string_view sql);
  void note_transaction_begin(std::string_view sql);
  bool in_transaction() const { return in_transaction_; }
  // A BEGIN that failed began nothing.
  void forget_transaction_if_begin(std::string_view sql);

  // Whether a statement that failed on a connection found dead may simply run again on a new
  // one: only outside a transaction, and only what cannot have changed anything (a read, or a
  // BEGIN / SET), and not after a reply timeout. libpq learns that a server went away only when a
  // call fails, so the first statement after a restart of PostgreSQL fails this way.
  bool may_retry_after_reconnect(std::string_view sql) const;

  // Looks at a finished call's result (nullptr when libpq could not even make one): a success
  // gives 0 and records the rows a command changed; a failure is recorded and gives the code
  // step() returns for it.
  int record(PGresult* result);
  // A failure found before anything reached the server (a bad placeholder, a parameter out of
  // range), with its code for last_error().
  int record_failure(int rc, std::string code, std::string message);

  int64_t changes() const { return changes_; }
  // Whether the last run() gave up on the server (until the next run()).
  bool timed_out() const { return timed_out_; }
  Error last_error(std::string_view doing) const;

  // A name for a server-side prepared statement, unique on this connection.
  std::string next_statement_name() { return "regwatch_" + std::to_string(++statements_); }

 private:
  PgResultPtr await(bool sent);
  // Waits until the socket can be read (or written too, when write), at most until deadline
  // when bounded; false when the deadline passed.
  bool wait_socket(bool write, bool bounded, std::chrono::steady_clock::time_point deadline);
  void give_up();

  PgConnPtr conn_;
  std::chrono::milliseconds reply_timeout_{0};
  bool timed_out_ = false;
  int64_t changes_ = 0;
  std::string error_message_;
  std::string error_code_;
  uint64_t statements_ = 0;
  uint64_t generation_ = 0;
  bool in_transaction_ = false;
  std::vector<std::string> session_settings_;
};

}  // namespace regwatch::collector::store
