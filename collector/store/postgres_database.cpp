#include "collector/store/postgres_database.h"

#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "collector/store/postgres_connection.h"
#include "collector/store/postgres_placeholders.h"
#include "collector/store/postgres_statement.h"

namespace regwatch::collector::store {
namespace {

constexpr const char* kApplicationName = "regwatch-collector";
constexpr const char* kConnectTimeoutSeconds = "10";
// A server gone silent (a cut cable, a partition, a DROP rule) ends the connection in seconds,
// not at TCP's minutes: data unacknowledged for 10 s, or three keepalive probes 3 s apart after
// 10 s idle. Waiting for a long query's answer is neither (the server's kernel acknowledges).
constexpr const char* kTcpUserTimeoutMs = "10000";
constexpr const char* kKeepalivesIdleSeconds = "10";
constexpr const char* kKeepalivesIntervalSeconds = "3";
constexpr const char* kKeepalivesCount = "3";
// How much of a statement's text an exec() error quotes.
constexpr size_t kQuotedSql = 200;

struct ConninfoFreer {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

// Notices (a NOTICE from CREATE ... IF NOT EXISTS, say) are not errors: they go to the debug
// log instead of libpq's default, stderr.
void log_notice(void* /*arg*/, const char* message) {
  std::string_view text = message == nullptr ? "" : message;
  while (text.ends_with('\n')) text.remove_suffix(1);
  spdlog::debug("postgresql: {}", text);
}

class PostgresDatabase : public Database {
 public:
  PostgresDatabase(std::string location, PgConnPtr conn)
      : location_(std::move(location)),
        connection_(std::make_unique<PostgresConnection>(std::move(conn))) {}

  Dialect dialect() const override { return Dialect::kPostgresql; }
  const std::string& location() const override { return location_; }

  Result<std::unique_ptr<StatementDriver>> prepare(std::string_view sql) override {
    auto translated = translate_placeholders(sql);
    if (!translated) {
      connection_->record_failure(SQLITE_ERROR, translated.error().code,
                                  translated.error().message);
      return translated.error();
    }
    return std::unique_ptr<StatementDriver>(
        std::make_unique<PostgresStatement>(connection_.get(), std::move(translated).value()));
  }

  Status exec(std::string_view sql) override {
    for (int attempt = 0;; ++attempt) {
      connection_->note_transaction_end(sql);
      if (!connection_->revive()) return last_error(SQLITE_IOERR, sql.substr(0, kQuotedSql));
      connection_->note_transaction_begin(sql);
      const std::string text(sql);
      const PgResultPtr result =
          connection_->run([&](PGconn* conn) { return PQsendQuery(conn, text.c_str()); });
      const int rc = connection_->record(result.get());
      if (rc == 0) return Ok{};
      if (!connection_->connected()) connection_->forget_transaction_if_begin(sql);
      if (attempt > 0 || !connection_->may_retry_after_reconnect(sql))
        return last_error(rc, sql.substr(0, kQuotedSql));
    }
  }

  int64_t changes() const override { return connection_->changes(); }
  PostgresConnection& connection() { return *connection_; }

  Error last_error(int /*rc*/, std::string_view doing) const override {
    return connection_->last_error(doing);
  }

 private:
  std::string location_;  // redacted
  // On the heap: statements keep its address.
  std::unique_ptr<PostgresConnection> connection_;
};

constexpr int kIdleInTransactionLimitS = 30;

// The session's settings, before anything else runs on it.
Status configure_session(PostgresDatabase& db, bool read_only, int busy_timeout_ms) {
  PostgresConnection& connection = db.connection();
  // At least 1 ms: PostgreSQL's 0 waits for ever, where SQLite's 0 does not wait at all.
  const std::string lock_timeout =
      "SET lock_timeout = '" + std::to_string(std::max(busy_timeout_ms, 1)) + "ms'";
  // A collector cut off from the server in the middle of a transaction must not hold its locks
  // (the ingest order lock, a claim's share lock on the lease row) until the server's TCP
  // keepalive notices, hours later: our transactions run statement after statement, so one idle
  // for 30 s belongs to a dead or cut-off client, and the server ends it.
  const std::string idle_timeout = "SET idle_in_transaction_session_timeout = '" +
                                   std::to_string(kIdleInTransactionLimitS) + "s'";
  for (const std::string& sql :
       {lock_timeout, idle_timeout, std::string("SET client_min_messages = warning"),
        std::string("SET bytea_output = hex")}) {
    if (auto done = db.exec(sql); !done) return done.error();
    connection.remember_session_setting(sql);
  }
  if (read_only) {
    if (auto done = db.exec("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"); !done) {
      return done.error();
    }
    connection.remember_session_setting("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
  }
  return Ok{};
}

// Where passwords stand in a location: after "user:" in the authority, and as the value of a
// password= parameter.
struct Span {
  size_t at = 0;
  size_t size = 0;
};

std::vector<Span> password_spans(std::string_view url) {
  std::vector<Span> spans;
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return spans;
  const size_t authority = scheme + 3;
  size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  // The user's part ends at the last '@' before the path: a password may hold an '@' of its
  // own only percent-encoded, but a careless one is hidden all the same.
  const size_t at =
      authority_end == authority ? std::string_view::npos : url.rfind('@', authority_end - 1);
  if (at != std::string_view::npos && at >= authority) {
    const size_t colon = url.find(':', authority);
    if (colon != std::string_view::npos && colon < at) spans.push_back({colon + 1, at - colon - 1});
  }
  const size_t query = url.find('?', authority);
  if (query == std::string_view::npos) return spans;
  constexpr std::string_view kKey = "password=";
  for (size_t i = query + 1; i < url.size();) {
    size_t end = url.find('&', i);
    if (end == std::string_view::npos) end = url.size();
    if (url.substr(i, end - i).starts_with(kKey)) {
      spans.push_back({i + kKey.size(), end - i - kKey.size()});
    }
    i = end + 1;
  }
  return spans;
}

std::string percent_decoded(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto hex = [&](size_t at) {
      const char c = text[at];
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (text[i] == '%' && i + 2 < text.size() && hex(i + 1) >= 0 && hex(i + 2) >= 0) {
      out.push_back(static_cast<char>(hex(i + 1) * 16 + hex(i + 2)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

void replace_all(std::string& text, const std::string& what, std::string_view with) {
  if (what.empty()) return;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

// libpq's messages may quote the location, or a piece of it: none of them shows a password.
std::string without_passwords(std::string message, const std::string& location) {
  replace_all(message, location, redact_postgres_location(location));
  for (const Span& span : password_spans(location)) {
    const std::string_view secret = std::string_view(location).substr(span.at, span.size);
    replace_all(message, std::string(secret), "***");
    replace_all(message, percent_decoded(secret), "***");
  }
  while (message.ends_with('\n') || message.ends_with(' ')) message.pop_back();
  return message;
}

}  // namespace

std::string redact_postgres_location(const std::string& location) {
  std::string url = location;
  const std::vector<Span> spans = password_spans(location);
  // From the last to the first, so that the earlier ones' offsets stay right.
  for (auto span = spans.rbegin(); span != spans.rend(); ++span) {
    url.replace(span->at, span->size, "***");
  }
  return url;
}

void set_postgres_reply_timeout(Database& db, std::chrono::milliseconds timeout) {
  if (auto* postgres = dynamic_cast<PostgresDatabase*>(&db); postgres != nullptr)
    postgres->connection().set_reply_timeout(timeout);
}

int postgres_copy_in(Database& db, const std::string& sql, std::string_view data) {
  auto* postgres = dynamic_cast<PostgresDatabase*>(&db);
  if (postgres == nullptr) return SQLITE_MISUSE;
  PostgresConnection& connection = postgres->connection();
  if (!connection.revive()) return SQLITE_IOERR;
  const int rc = connection.copy_in(sql, data);
  return rc == 0 ? kStepDone : rc;
}

Result<DatabasePtr> open_postgres_database(const std::string& location, bool read_only,
                                           int busy_timeout_ms) {
  const std::string redacted = redact_postgres_location(location);
  char* parse_error = nullptr;
  const std::unique_ptr<PQconninfoOption, ConninfoFreer> parsed(
      PQconninfoParse(location.c_str(), &parse_error));
  if (parsed == nullptr) {
    const std::string why = parse_error == nullptr ? "out of memory" : parse_error;
    PQfreemem(parse_error);
    return make_error("bad_location",
                      "PostgreSQL location " + redacted + ": " + without_passwords(why, location));
  }
  // Keywords before the URI are defaults that the URI's own parameters override (libpq reads
  // them in order; expand_dbname makes "dbname" the whole URI).
  const char* keywords[] = {"application_name", "connect_timeout", "tcp_user_timeout",
                            "keepalives",       "keepalives_idle", "keepalives_interval",
                            "keepalives_count", "dbname",          nullptr};
  const char* values[] = {kApplicationName,
                          kConnectTimeoutSeconds,
                          kTcpUserTimeoutMs,
                          "1",
                          kKeepalivesIdleSeconds,
                          kKeepalivesIntervalSeconds,
                          kKeepalivesCount,
                          location.c_str(),
                          nullptr};
  PgConnPtr conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr)
    return make_error("unavailable", "connecting to " + redacted + ": out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return make_error("unavailable", "connecting to " + redacted + ": " +
                                         without_passwords(PQerrorMessage(conn.get()), location));
  }
  PQsetNoticeProcessor(conn.get(), log_notice, nullptr);
  auto db = std::make_unique<PostgresDatabase>(redacted, std::move(conn));
  if (auto configured = configure_session(*db, read_only, busy_timeout_ms); !configured) {
    return configured.error();
  }
  return DatabasePtr(std::move(db));
}

}  // namespace regwatch::collector::store
