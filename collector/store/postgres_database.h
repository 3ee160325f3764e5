#pragma once
// The PostgreSQL driver of Database (database.h), over libpq.
//
// - location: a libpq connection URI, postgresql://[user[:password]@][host][:port][/dbname]
//   [?param=value...] (host may be a socket directory: ?host=/run/postgresql). location() gives
//   it back without the password.
// - The ?N placeholders of the stores' SQL become $N outside quoted text and comments; a bare ?
//   is numbered as SQLite numbers it.
// - Parameters: integers as int8, blobs as bytea (binary), text untyped (PostgreSQL infers the
//   type from where it stands), NULL as NULL. Results in binary when a statement returns only
//   booleans, integers, text and bytea, in text otherwise (postgres_statement.h); the columns
//   read both the same way.
// - A statement is prepared on the server at its first step with the types then bound, and again
//   only when those types change.
// - Errors map SQLSTATE to the codes database.h lists; a lost connection is "unavailable" and
//   the driver does not reconnect by itself (the caller opens a new Database).
// - read_only sets the session's transactions read-only; busy_timeout_ms becomes lock_timeout.
//   The connection has application_name regwatch-collector and a 10 s connect timeout unless
//   the URI says otherwise.
#include <chrono>
#include <string>
#include <string_view>

#include "collector/store/database.h"
#include "common/result.h"

namespace regwatch::collector::store {

Result<DatabasePtr> open_postgres_database(const std::string& location, bool read_only,
                                           int busy_timeout_ms);

// How long a command on db waits for the server's reply before the driver takes the server for
// gone: the call fails "unavailable" and the next one connects anew. Zero, the default, waits
// for as long as the connection lasts, which a network that goes silent may make hours: TCP's
// keepalives and tcp_user_timeout notice a peer that stops acknowledging, not one that
// acknowledges and never answers. For connections whose commands all answer quickly (the
// leader lease, the event writer after its migrations). Nothing on SQLite.
void set_postgres_reply_timeout(Database& db, std::chrono::milliseconds timeout);

// COPY ... FROM STDIN on db, in whatever transaction is open there, with data as its whole input
// (COPY's binary format: postgres_copy_rows.h). Gives what a statement's step() gives for a
// command: kStepDone, or a failure's code for database_error() (a unique violation is
// SQLITE_CONSTRAINT, as on SQLite); changes() is then the rows copied. Under the reply deadline
// like any command. On a database other than PostgreSQL: SQLITE_MISUSE, nothing run.
int postgres_copy_in(Database& db, const std::string& sql, std::string_view data);

// The location with any password replaced by "***", for logs and messages.
std::string redact_postgres_location(const std::string& location);

}  // namespace regwatch::collector::store
