// The event writer's PostgreSQL batch path (event_writer.cpp: a COPY, or when the batch holds a
// key already stored the multi-row statements of insert_chunks; summaries by
// multi_row_statement.h) against a real server of the test's own: a batch must store the rows
// the statement would, count what it stored and what it had (resends, a key twice in one batch,
// across chunks), keep the summaries to what was stored, and be all or nothing when any
// statement of it fails.
#include <gtest/gtest.h>

#include <cctype>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "collector/store/event_writer.h"
#include "collector/store/multi_row_statement.h"
#include "tests/store/postgres_server.h"
#include "tests/store/postgres_suite.h"

namespace regwatch::collector::store {
namespace {

v1::Event phone_event(const std::string& agent, uint64_t seq) {
  v1::Event event;
  event.set_agent_id(agent);
  event.set_seq(seq);
  event.set_event_time_us(1'000'000 + static_cast<int64_t>(seq));
  event.set_receive_time_us(1'000'000 + static_cast<int64_t>(seq));
  event.set_origin("ucm-sub1");
  event.set_kind(v1::PHONE_UNREGISTERED);
  char device[32];
  std::snprintf(device, sizeof device, "SEP%012llX", static_cast<unsigned long long>(seq));
  event.mutable_phone()->set_device_name(device);
  event.mutable_phone()->set_reason_code(13);
  return event;
}

std::vector<v1::Event> phone_events(const std::string& agent, uint64_t first, uint64_t count) {
  std::vector<v1::Event> events;
  for (uint64_t seq = first; seq < first + count; ++seq) events.push_back(phone_event(agent, seq));
  return events;
}

class PostgresEventBatchTest : public regwatch::test::PostgresSuite {
 protected:
  void SetUp() override {
    PostgresSuite::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    const std::string url = fresh_database("b_");
    ASSERT_FALSE(url.empty());
    auto writer = EventWriter::open(url);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    writer_ = std::move(writer).value();
  }

  int64_t count(const std::string& sql) {
    auto statement = Statement::prepare(writer_->database(), sql);
    EXPECT_TRUE(statement.ok()) << statement.error().message;
    if (!statement.ok()) return -1;
    EXPECT_EQ(statement->step(), kStepRow) << sql;
    return statement->column_int(0);
  }
  void exec_ok(const std::string& sql) {
    auto done = exec(writer_->database(), sql);
    ASSERT_TRUE(done.ok()) << done.error().message;
  }
  // Makes every insert into table fail for rows matching `when` (a condition on NEW).
  void fail_inserts_into(const std::string& table, const std::string& when) {
    exec_ok("CREATE FUNCTION refuse_" + table +
            "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF " + when +
            " THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$");
    exec_ok("CREATE TRIGGER refuse_" + table + " BEFORE INSERT ON " + table +
            " FOR EACH ROW EXECUTE FUNCTION refuse_" + table + "()");
  }

  std::unique_ptr<EventWriter> writer_;
};

TEST(MultiRowStatement, ChunksAddUpInFewStatements) {
  const MultiRowStatement postgres(Dialect::kPostgresql, "INSERT INTO t (a, b) VALUES", 2, "");
  EXPECT_EQ(postgres.chunks(0), std::vector<size_t>{});
  EXPECT_EQ(postgres.chunks(1000),
            (std::vector<size_t>{256, 256, 256, 32, 32, 32, 32, 32, 32, 32, 8}));
  EXPECT_EQ(postgres.chunks(11), (std::vector<size_t>{8, 1, 1, 1}));
  const MultiRowStatement sqlite(Dialect::kSqlite, "INSERT INTO t (a, b) VALUES", 2, "");
  EXPECT_EQ(sqlite.chunks(3), (std::vector<size_t>{1, 1, 1}));
}

TEST(MultiRowStatement, RowsTakeTheirParametersInTheGivenOrder) {
  const MultiRowStatement insert(Dialect::kPostgresql, "INSERT INTO t (a, b, c) VALUES", 3,
                                 "ON CONFLICT DO NOTHING", {1, 3, 2});
  EXPECT_EQ(insert.sql(2),
            "INSERT INTO t (a, b, c) VALUES (?1, ?3, ?2), (?4, ?6, ?5) ON CONFLICT DO NOTHING");
  EXPECT_EQ(MultiRowStatement::parameter(1, 2, 3), 5);
}

TEST_F(PostgresEventBatchTest, StoredAndDuplicatesAreCountedAcrossChunks) {
  // 300 first: chunks of 256, 32, 8, 1, 1, 1, 1.
  const auto first = phone_events("a1", 1, 300);
  auto stored = writer_->insert_batch(first, 5000, "inc1");
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  EXPECT_EQ(stored->stored, 300u);
  EXPECT_EQ(stored->duplicates, 0u);
  EXPECT_EQ(writer_->copies_redone(), 0u);  // all new: one COPY

  // A resend of 250..300 among 600 new ones, one of them twice in one chunk and one twice in
  // different chunks, and an old one twice: 600 new, 51 + 1 + 1 + 2 duplicates.
  std::vector<v1::Event> batch = phone_events("a1", 250, 51);
  const auto fresh = phone_events("a1", 301, 600);
  batch.insert(batch.end(), fresh.begin(), fresh.end());
  batch.insert(batch.begin() + 52, phone_event("a1", 301));
  batch.push_back(phone_event("a1", 450));
  batch.push_back(phone_event("a1", 7));
  batch.push_back(phone_event("a1", 7));
  auto second = writer_->insert_batch(batch, 6000, "inc1");
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(second->stored, 600u);
  EXPECT_EQ(second->duplicates, 55u);
  EXPECT_EQ(writer_->copies_redone(), 1u);  // its COPY met stored keys: the statements then

  // The same seq under another incarnation is another event.
  auto other = writer_->insert_batch(phone_events("a1", 1, 3), 7000, "inc2");
  ASSERT_TRUE(other.ok()) << other.error().message;
  EXPECT_EQ(other->stored, 3u);

  EXPECT_EQ(writer_->copies_redone(), 1u);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 903);
  // The summaries count what was stored, not what was sent.
  EXPECT_EQ(count("SELECT events FROM inputs WHERE agent_id = 'a1'"), 903);
  EXPECT_EQ(count("SELECT count(*) FROM phones"), 900);
  EXPECT_EQ(count("SELECT events FROM sources WHERE agent_id = 'a1'"), 903);  // all live
}

TEST_F(PostgresEventBatchTest, ACopiedRowIsTheRowTheStatementStores) {
  // Two batches of the same events under two incarnations: the first all new (COPY), the second
  // sent with a resend in it (its COPY fails, the statements store it).
  const auto events = phone_events("a1", 1, 20);
  ASSERT_TRUE(writer_->insert_batch(events, 5000, "copied").ok());
  ASSERT_TRUE(writer_->insert_batch(std::span(events).first(1), 5000, "stated").ok());
  auto resent = writer_->insert_batch(events, 5000, "stated");
  ASSERT_TRUE(resent.ok()) << resent.error().message;
  EXPECT_EQ(resent->stored, 19u);
  EXPECT_EQ(writer_->copies_redone(), 1u);
  // Every column but the id and the incarnation is the same, the payload byte for byte.
  EXPECT_EQ(count("SELECT count(*) FROM events c JOIN events s ON s.seq = c.seq AND "
                  "s.spool_incarnation = 'stated' WHERE c.spool_incarnation = 'copied' AND "
                  "c.agent_id = s.agent_id AND c.event_time_us = s.event_time_us AND "
                  "c.receive_time_us = s.receive_time_us AND c.store_time_us = s.store_time_us "
                  "AND c.origin = s.origin AND c.source = s.source AND c.kind = s.kind AND "
                  "c.device = s.device AND c.reason_code = s.reason_code AND "
                  "c.payload = s.payload AND c.spoofed = s.spoofed"),
            20);
  EXPECT_EQ(count("SELECT count(*) FROM events WHERE device = 'SEP000000000007' AND "
                  "reason_code = 13 AND kind = 'phone_unregistered'"),
            2);
}

TEST_F(PostgresEventBatchTest, AFailedCopyStoresNothingOfTheBatch) {
  // All new, so it goes by COPY, whose last row the server refuses.
  fail_inserts_into("events", "NEW.seq = 300");
  auto failed = writer_->insert_batch(phone_events("a1", 1, 300), 5000, "inc1");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("refused by the test"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(writer_->copies_redone(), 0u);  // not a duplicate: no second try
  EXPECT_EQ(count("SELECT count(*) FROM events"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM phones"), 0);
  exec_ok("DROP TRIGGER refuse_events ON events");
  auto again = writer_->insert_batch(phone_events("a1", 1, 300), 6000, "inc1");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->stored, 300u);
}

TEST_F(PostgresEventBatchTest, AFailedChunkStoresNothingOfTheBatch) {
  auto before = writer_->insert_batch(phone_events("a1", 1, 10), 5000, "inc1");
  ASSERT_TRUE(before.ok()) << before.error().message;
  // The batch's last row fails, in its last chunk, after 512 + 32 + 8 + 3 rows went in.
  fail_inserts_into("events", "NEW.seq = 560");
  const auto batch = phone_events("a1", 5, 556);  // 5..560: 6 resent, 550 new
  auto failed = writer_->insert_batch(batch, 6000, "inc1");
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.error().message.find("refused by the test"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(count("SELECT count(*) FROM events"), 10);
  EXPECT_EQ(count("SELECT events FROM inputs WHERE agent_id = 'a1'"), 10);
  EXPECT_EQ(count("SELECT count(*) FROM phones"), 10);

  // Sent again once the cause is gone: stored once, counted right (nothing left of the failed
  // try in the writer either).
  exec_ok("DROP TRIGGER refuse_events ON events");
  auto again = writer_->insert_batch(batch, 7000, "inc1");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->stored, 550u);
  EXPECT_EQ(again->duplicates, 6u);
  EXPECT_EQ(count("SELECT count(*) FROM events"), 560);
  EXPECT_EQ(count("SELECT events FROM inputs WHERE agent_id = 'a1'"), 560);
}

TEST_F(PostgresEventBatchTest, AFailedSummaryStoresNoEventOfTheBatch) {
  fail_inserts_into("phones", "NEW.device = 'SEP000000000064'");
  auto failed = writer_->insert_batch(phone_events("a1", 1, 300), 5000, "inc1");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(count("SELECT count(*) FROM events"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM inputs"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM phones"), 0);
  exec_ok("DROP TRIGGER refuse_phones ON phones");
  auto again = writer_->insert_batch(phone_events("a1", 1, 300), 6000, "inc1");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->stored, 300u);
  EXPECT_EQ(count("SELECT count(*) FROM phones"), 300);
}

}  // namespace
}  // namespace regwatch::collector::store
