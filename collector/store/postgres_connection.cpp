#include "collector/store/postgres_connection.h"

#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>

namespace regwatch::collector::store {
namespace {

std::string trimmed(const char* text) {
  std::string out = text == nullptr ? "" : text;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

bool changes_rows(const char* command_status) {
  const std::string_view status = command_status == nullptr ? "" : command_status;
  for (const std::string_view verb : {"INSERT ", "UPDATE ", "DELETE ", "MERGE ", "COPY "}) {
    if (status.starts_with(verb)) return true;
  }
  return false;
}

}  // namespace

std::string postgres_error_code(std::string_view sqlstate, bool connection_ok) {
  const std::string_view sqlclass = sqlstate.substr(0, 2);
  if (sqlclass == "53") return "disk_full";
  // 57P01-57P03: the server is shutting down or starting, and says so before it hangs up.
  if (!connection_ok || sqlclass == "08" || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03") {
    return "unavailable";
  }
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03") return "busy";
  // 25006: a write in a read-only transaction, as SQLite's READONLY is.
  if (sqlstate == "42501" || sqlstate == "25006") return "no_access";
  return "postgresql";
}

int postgres_step_code(std::string_view sqlstate, bool connection_ok) {
  const std::string code = postgres_error_code(sqlstate, connection_ok);
  if (code == "disk_full") return SQLITE_FULL;
  if (code == "unavailable") return SQLITE_IOERR;
  if (code == "busy") return SQLITE_BUSY;
  if (code == "no_access") return SQLITE_PERM;
  if (sqlstate.substr(0, 2) == "23") return SQLITE_CONSTRAINT;
  return SQLITE_ERROR;
}

bool PostgresConnection::wait_socket(bool write, bool bounded,
                                     std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    int wait_ms = -1;
    if (bounded) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      wait_ms = static_cast<int>(left.count());
    }
    pollfd fd{PQsocket(conn_.get()), static_cast<short>(POLLIN | (write ? POLLOUT : 0)), 0};
    const int ready = ::poll(&fd, 1, wait_ms);
    if (ready > 0 || (ready < 0 && errno != EINTR)) return true;  // libpq's next call says
  }
}

void PostgresConnection::give_up() {
  timed_out_ = true;
  // libpq has no call that drops a connection and keeps it: with the socket shut, its next
  // read finds the end, marks the connection bad and closes it, as when a server goes away.
  ::shutdown(PQsocket(conn_.get()), SHUT_RDWR);
}

PgResultPtr PostgresConnection::await(bool sent) {
  timed_out_ = false;
  if (!sent) return nullptr;
  PGconn* conn = conn_.get();
  const bool bounded = reply_timeout_.count() > 0;
  const auto deadline = std::chrono::steady_clock::now() + reply_timeout_;
  // What did not fit in the socket goes out first, reading meanwhile, as libpq's manual says
  // a non-blocking sender must (the server may be sending too).
  for (int flushed = PQflush(conn); flushed == 1; flushed = PQflush(conn)) {
    if (!wait_socket(true, bounded, deadline)) {
      give_up();
      break;
    }
    if (PQconsumeInput(conn) == 0) break;
  }
  PgResultPtr kept;
  for (;;) {
    while (PQisBusy(conn) != 0) {
      if (!timed_out_ && !wait_socket(false, bounded, deadline)) give_up();
      if (PQconsumeInput(conn) == 0) break;  // the connection failed: PQgetResult says so
    }
    PgResultPtr next(PQgetResult(conn));
    if (next == nullptr) return kept;
    const ExecStatusType status = PQresultStatus(next.get());
    // As PQexec: the first error stands; otherwise the last result.
    if (kept == nullptr || PQresultStatus(kept.get()) != PGRES_FATAL_ERROR) kept = std::move(next);
    // A COPY waits for its data, which copy_in() sends: it ends the call.
    if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH)
      return kept;
  }
}

int PostgresConnection::copy_in(const std::string& sql, std::string_view data) {
  const PgResultPtr started = run([&](PGconn* conn) { return PQsendQuery(conn, sql.c_str()); });
  if (started == nullptr || PQresultStatus(started.get()) != PGRES_COPY_IN)
    return record(started.get());
  PGconn* conn = conn_.get();
  const bool bounded = reply_timeout_.count() > 0;
  const auto deadline = std::chrono::steady_clock::now() + reply_timeout_;
  // Non-blocking: a put that libpq cannot queue yet (its buffer full) returns 0 and is tried
  // again once the socket takes more, reading meanwhile as for a query.
  const auto when_writable = [&] {
    if (!wait_socket(true, bounded, deadline)) {
      give_up();
      return false;
    }
    return PQconsumeInput(conn) != 0;
  };
  constexpr size_t kPiece = size_t{64} * 1024;
  bool sending = true;
  for (size_t at = 0; sending && at < data.size();) {
    const size_t piece = std::min(kPiece, data.size() - at);
    const int put = PQputCopyData(conn, data.data() + at, static_cast<int>(piece));
    if (put == 1) {
      at += piece;
    } else if (put < 0 || !when_writable()) {
      sending = false;
    }
  }
  int ended = 0;
  while (sending && (ended = PQputCopyEnd(conn, nullptr)) == 0) sending = when_writable();
  if (!sending || ended < 0) return record(nullptr);
  const PgResultPtr result = await(true);
  return record(result.get());
}

int PostgresConnection::record(PGresult* result) {
  if (timed_out_) {
    return record_failure(SQLITE_IOERR, "unavailable",
                          "no reply from PostgreSQL within " +
                              std::to_string(reply_timeout_.count()) +
                              " ms: the server, or the network to it, is taken for gone");
  }
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    // Only what changes rows counts (an INSERT ... RETURNING too, a SELECT not); anything
    // else keeps the count of the last one that did, as SQLite's changes() does.
    if (changes_rows(PQcmdStatus(result))) {
      const char* tuples = PQcmdTuples(result);
      const std::string_view text = tuples == nullptr ? "" : tuples;
      int64_t count = 0;
      if (std::from_chars(text.data(), text.data() + text.size(), count).ec == std::errc()) {
        changes_ = count;
      }
    }
    return 0;
  }
  const char* sqlstate = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary =
      result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  // No primary message: libpq failed by itself (the server went away), and says why on the
  // connection.
  error_message_ = trimmed(primary != nullptr ? primary : PQerrorMessage(conn_.get()));
  error_code_ = postgres_error_code(sqlstate == nullptr ? "" : sqlstate, connected());
  return postgres_step_code(sqlstate == nullptr ? "" : sqlstate, connected());
}

int PostgresConnection::record_failure(int rc, std::string code, std::string message) {
  error_message_ = std::move(message);
  error_code_ = std::move(code);
  return rc;
}

Error PostgresConnection::last_error(std::string_view doing) const {
  // A connection that broke since the failure was recorded is what the caller must know.
  const std::string code = connected() ? error_code_ : "unavailable";
  std::string message = std::string(doing) + ": " + error_message_;
  return make_error(code.empty() ? "postgresql" : code, std::move(message));
}

bool PostgresConnection::revive() {
  if (connected()) return true;
  if (in_transaction_) return false;  // the caller's ROLLBACK ends it; the next BEGIN revives
  PQreset(conn_.get());
  if (!connected()) {
    record_failure(SQLITE_IOERR, "unavailable",
                   std::string("reconnecting: ") + PQerrorMessage(conn_.get()));
    return false;
  }
  ++generation_;
  for (const std::string& sql : session_settings_) {
    const PgResultPtr done = run([&](PGconn* conn) { return PQsendQuery(conn, sql.c_str()); });
    if (record(done.get()) != 0) return false;
  }
  return true;
}

namespace {

// Whether sql begins with word (upper case), after white space, without case.
bool starts_with_word(std::string_view sql, std::string_view word) {
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front())))
    sql.remove_prefix(1);
  if (sql.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(sql[i])) != word[i]) return false;
  }
  return true;
}

}  // namespace

void PostgresConnection::note_transaction_end(std::string_view sql) {
  if (starts_with_word(sql, "COMMIT") || starts_with_word(sql, "ROLLBACK")) in_transaction_ = false;
}

void PostgresConnection::note_transaction_begin(std::string_view sql) {
  if (starts_with_word(sql, "BEGIN")) in_transaction_ = true;
}

void PostgresConnection::forget_transaction_if_begin(std::string_view sql) {
  if (starts_with_word(sql, "BEGIN")) in_transaction_ = false;
}

bool PostgresConnection::may_retry_after_reconnect(std::string_view sql) const {
  // A server that did not answer in time is not one that restarted since the last call: trying
  // again would only wait as long once more.
  if (connected() || in_transaction_ || timed_out_) return false;
  for (std::string_view word : {"SELECT", "WITH", "BEGIN", "SET"}) {
    if (starts_with_word(sql, word)) return true;
  }
  return false;
}

}  // namespace regwatch::collector::store
