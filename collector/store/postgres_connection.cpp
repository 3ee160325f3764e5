#include "collector/store/postgres_connection.h"

#include <sqlite3.h>

#include <cctype>

#include <sqlite3.h>

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
  for (const std::string_view verb : {"INSERT ", "UPDATE ", "DELETE ", "MERGE "}) {
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

int PostgresConnection::record(PGresult* result) {
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
    const PgResultPtr done(PQexec(conn_.get(), sql.c_str()));
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
  if (connected() || in_transaction_) return false;
  for (std::string_view word : {"SELECT", "WITH", "BEGIN", "SET"}) {
    if (starts_with_word(sql, word)) return true;
  }
  return false;
}

}  // namespace regwatch::collector::store
