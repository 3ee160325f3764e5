// The dashboard's store reads (schema/013): event pages by cursor, the inputs and phones
// summaries the writer keeps in each batch's transaction (and the migration backfills), and
// each CM node's latest CCM-MIB counts.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "collector/store/database.h"
#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"
#include "collector/store/migrations.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;
using PhoneMatch = EventSource::PhoneMatch;

constexpr int64_t kT0 = 1'795'132'800'000'000;  // 2026-11-20T00:00:00Z
constexpr int64_t kSecond = 1'000'000;

v1::Event event(const std::string& agent, uint64_t seq, int64_t time_us, const std::string& origin,
                v1::Source source, v1::EventKind kind) {
  v1::Event e;
  e.set_agent_id(agent);
  e.set_seq(seq);
  e.set_event_time_us(time_us);
  e.set_receive_time_us(time_us);
  e.set_origin(origin);
  e.set_source(source);
  e.set_kind(kind);
  return e;
}

v1::Event phone(const std::string& agent, uint64_t seq, int64_t time_us, const std::string& device,
                const std::string& ip = "", const std::string& description = "") {
  auto e = event(agent, seq, time_us, "ucm-sub1", v1::SOURCE_SYSLOG, v1::PHONE_UNREGISTERED);
  e.mutable_phone()->set_device_name(device);
  e.mutable_phone()->set_ip(ip);
  e.mutable_phone()->set_description(description);
  e.mutable_phone()->set_reason_code(13);
  return e;
}

v1::Event counts(const std::string& agent, uint64_t seq, int64_t time_us, const std::string& node,
                 uint64_t registered, uint64_t unregistered, uint64_t rejected) {
  auto e = event(agent, seq, time_us, node, v1::SOURCE_SNMP_POLL, v1::REGISTERED_PHONES);
  auto* c = e.mutable_registered_phones();
  c->set_registered(registered);
  c->set_unregistered(unregistered);
  c->set_rejected(rejected);
  return e;
}

class SummaryTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-summaries-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "events.db").string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<EventWriter> writer() {
    auto opened = EventWriter::open(path_);
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return std::move(opened).value();
  }
  std::unique_ptr<EventReader> reader() { return std::move(EventReader::open(path_)).value(); }

  std::vector<std::string> devices(EventReader& r, PhoneMatch how, const std::string& value) {
    auto found = r.find_phones(how, value, 50);
    EXPECT_TRUE(found.ok()) << found.error().message;
    std::vector<std::string> names;
    for (const auto& p : *found) names.push_back(p.device());
    return names;
  }

  fs::path dir_;
  std::string path_;
};

// Pages of 3 read while events keep arriving: the pages hold every event that was there when
// paging began, each once and in order, whatever arrived in between (newer or older).
TEST_F(SummaryTablesTest, EventPagesNeitherRepeatNorSkipWhileEventsArrive) {
  auto w = writer();
  std::vector<v1::Event> batch;
  // 8 events, two pairs sharing an event time: the id breaks the tie.
  const int64_t times[] = {10, 20, 20, 30, 40, 40, 50, 60};
  for (uint64_t i = 0; i < 8; ++i)
    batch.push_back(phone("a", i + 1, kT0 + times[i] * kSecond, "SEP00000000000A"));
  ASSERT_TRUE(w->insert_batch(batch, kT0).ok());
  auto r = reader();

  for (const bool oldest_first : {false, true}) {
    v1::EventQuery q;
    q.set_limit(3);
    q.set_oldest_first(oldest_first);
    std::vector<uint64_t> seqs;
    uint64_t next_seq = 100 + (oldest_first ? 100 : 0);
    for (int page = 0; page < 10; ++page) {
      auto list = r->query(q);
      ASSERT_TRUE(list.ok()) << list.error().message;
      for (const auto& stored : list->events()) seqs.push_back(stored.event().seq());
      if (!list->truncated()) {
        EXPECT_EQ(list->next_cursor(), "");
        break;
      }
      ASSERT_FALSE(list->next_cursor().empty());
      q.set_cursor(list->next_cursor());
      // Between pages: one event newer than all, one at a time already paged past.
      ASSERT_TRUE(w->insert_batch(
                       std::vector<v1::Event>{
                           phone("b", next_seq, kT0 + 99 * kSecond, "SEP00000000000B"),
                           phone("b", next_seq + 1, kT0 + (oldest_first ? 5 : 70) * kSecond,
                                 "SEP00000000000B")},
                       kT0)
                      .ok());
      next_seq += 2;
    }
    // The original 8 each once, in the order asked; the arrivals behind the cursor never show.
    std::vector<uint64_t> originals;
    for (const auto s : seqs)
      if (s <= 8) originals.push_back(s);
    const std::vector<uint64_t> newest = {8, 7, 6, 5, 4, 3, 2, 1};
    const std::vector<uint64_t> oldest = {1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_EQ(originals, oldest_first ? oldest : newest);
    EXPECT_EQ(std::set<uint64_t>(seqs.begin(), seqs.end()).size(), seqs.size());
  }
}

TEST_F(SummaryTablesTest, AMalformedOrForeignCursorIsABadQueryThatSaysSo) {
  auto w = writer();
  auto r = reader();
  v1::EventQuery q;
  q.set_cursor("page-2");
  auto bad = r->query(q);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "bad_query");
  EXPECT_NE(bad.error().message.find("malformed cursor 'page-2'"), std::string::npos);
  q.set_cursor("e1n1795132800000000_42");
  q.set_oldest_first(true);
  auto other_order = r->query(q);
  ASSERT_FALSE(other_order.ok());
  EXPECT_EQ(other_order.error().code, "bad_query");
  EXPECT_NE(other_order.error().message.find("newest-first"), std::string::npos);
}

TEST_F(SummaryTablesTest, InputsCountEachStoredEventOnceAndLeaveOutSpoofedOnes) {
  auto w = writer();
  auto line = phone("edge-1", 1, kT0 + 10 * kSecond, "SEP00000000000A");
  auto forged = phone("edge-1", 2, kT0 + 90 * kSecond, "SEP00000000000F");
  forged.mutable_provenance()->set_spoofed(true);
  auto cpu = event("edge-1", 3, kT0 + 20 * kSecond, "sw-3f", v1::SOURCE_SNMP_POLL, v1::CPU_SAMPLE);
  ASSERT_TRUE(w->insert_batch(std::vector<v1::Event>{line, forged, cpu}, kT0 + 100 * kSecond).ok());
  // A later batch from the same sender, an older event (a replay): the store time moves on,
  // the latest event time does not go back. The resend of seq 1 is a duplicate: not counted.
  auto replayed = phone("edge-1", 4, kT0 + 5 * kSecond, "SEP00000000000A");
  ASSERT_TRUE(w->insert_batch(std::vector<v1::Event>{line, replayed}, kT0 + 200 * kSecond).ok());
  auto trap =
      event("edge-2", 1, kT0 + 30 * kSecond, "ucm-pub", v1::SOURCE_SNMP_TRAP, v1::CM_FAILED);
  ASSERT_TRUE(w->insert_batch(std::vector<v1::Event>{trap}, kT0 + 300 * kSecond).ok());

  auto list = reader()->inputs(100);
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->inputs_size(), 3);
  const auto& snmp = list->inputs(0);  // by agent, source, origin: snmp_poll < syslog
  EXPECT_EQ(snmp.agent_id(), "edge-1");
  EXPECT_EQ(snmp.source(), "snmp_poll");
  EXPECT_EQ(snmp.origin(), "sw-3f");
  EXPECT_EQ(snmp.events(), 1u);
  EXPECT_EQ(snmp.last_store_time_us(), kT0 + 100 * kSecond);
  const auto& syslog = list->inputs(1);
  EXPECT_EQ(syslog.source(), "syslog");
  EXPECT_EQ(syslog.origin(), "ucm-sub1");
  EXPECT_EQ(syslog.events(), 2u);  // line and its replay; not the forged one, not the resend
  EXPECT_EQ(syslog.last_store_time_us(), kT0 + 200 * kSecond);
  EXPECT_EQ(syslog.last_event_time_us(), kT0 + 10 * kSecond);  // not the forged 90 s
  EXPECT_EQ(list->inputs(2).agent_id(), "edge-2");
  EXPECT_EQ(list->inputs(2).source(), "snmp_trap");
  EXPECT_FALSE(list->truncated());

  auto cut = reader()->inputs(2);
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(cut->inputs_size(), 2);
  EXPECT_TRUE(cut->truncated());
}

TEST_F(SummaryTablesTest, PhonesKeepTheirNewestAddressAndDescriptionAndAreFoundEachWay) {
  auto w = writer();
  ASSERT_TRUE(
      w->insert_batch(std::vector<v1::Event>{phone("a", 1, kT0 + 10 * kSecond, "SEP0017943A98BA",
                                                   "10.1.2.3", "Desk 36 reception")},
                      kT0)
          .ok());
  // Newer, without address: the address stays. A replay from between: its address is newer
  // than the one kept, so it wins; one from before the kept one does not.
  ASSERT_TRUE(
      w->insert_batch(std::vector<v1::Event>{phone("a", 2, kT0 + 20 * kSecond, "SEP0017943A98BA")},
                      kT0)
          .ok());
  ASSERT_TRUE(w->insert_batch(std::vector<v1::Event>{phone("a", 3, kT0 + 15 * kSecond,
                                                           "SEP0017943A98BA", "10.1.2.4")},
                              kT0)
                  .ok());
  ASSERT_TRUE(
      w->insert_batch(std::vector<v1::Event>{phone("a", 4, kT0 + 5 * kSecond, "SEP0017943A98BA",
                                                   "10.9.9.9", "old label")},
                      kT0)
          .ok());
  // A CDP sighting gives an address too; a forged report gives nothing.
  auto sighting = event("a", 5, kT0 + 30 * kSecond, "sw-3f", v1::SOURCE_SNMP_POLL, v1::TOPOLOGY);
  sighting.mutable_topology()->set_device("SEP0017943A98BB");
  sighting.mutable_topology()->set_address("10.1.2.5");
  auto forged = phone("a", 6, kT0 + 40 * kSecond, "SEP0017943A98BC", "6.6.6.6", "forged");
  forged.mutable_provenance()->set_spoofed(true);
  ASSERT_TRUE(w->insert_batch(std::vector<v1::Event>{sighting, forged}, kT0).ok());

  auto r = reader();
  auto found = r->find_phones(PhoneMatch::kDevice, "sep0017943a98ba", 10);  // without case
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  const auto& p = (*found)[0];
  EXPECT_EQ(p.device(), "SEP0017943A98BA");
  EXPECT_EQ(p.mac(), "00:17:94:3a:98:ba");
  EXPECT_EQ(p.ip(), "10.1.2.4");
  EXPECT_EQ(p.description(), "Desk 36 reception");
  EXPECT_EQ(p.last_seen_us(), kT0 + 20 * kSecond);

  const std::vector<std::string> both = {"SEP0017943A98BA", "SEP0017943A98BB"};
  EXPECT_EQ(devices(*r, PhoneMatch::kDevicePrefix, "sep0017943a98"), both);
  EXPECT_EQ(devices(*r, PhoneMatch::kDevicePrefix, "SEP0017943A98BB"),
            std::vector<std::string>{"SEP0017943A98BB"});
  EXPECT_EQ(devices(*r, PhoneMatch::kMac, "00:17:94:3a:98:bb"),
            std::vector<std::string>{"SEP0017943A98BB"});
  EXPECT_EQ(devices(*r, PhoneMatch::kIp, "10.1.2.5"), std::vector<std::string>{"SEP0017943A98BB"});
  EXPECT_TRUE(devices(*r, PhoneMatch::kIp, "10.9.9.9").empty());
  EXPECT_EQ(devices(*r, PhoneMatch::kText, "RECEPTION"),
            std::vector<std::string>{"SEP0017943A98BA"});
  EXPECT_EQ(devices(*r, PhoneMatch::kText, "10.1.2."), both);
  EXPECT_TRUE(devices(*r, PhoneMatch::kText, "forged").empty());
  EXPECT_TRUE(devices(*r, PhoneMatch::kDevice, "SEP0017943A98BC").empty());
  auto limited = r->find_phones(PhoneMatch::kDevicePrefix, "SEP", 1);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(limited->size(), 1u);
}

TEST_F(SummaryTablesTest, EachCmNodesLatestCountsAtATimeThroughItsIndex) {
  auto w = writer();
  ASSERT_TRUE(
      w->insert_batch(
           std::vector<v1::Event>{counts("edge-1", 1, kT0 + 60 * kSecond, "ucm-pub", 900, 10, 1),
                                  counts("edge-1", 2, kT0 + 60 * kSecond, "ucm-sub1", 1200, 3, 0),
                                  counts("edge-1", 3, kT0 + 120 * kSecond, "ucm-pub", 850, 60, 2),
                                  counts("edge-1", 4, kT0 + 180 * kSecond, "ucm-sub2", 40, 0, 0),
                                  event("edge-1", 5, kT0 + 100 * kSecond, "sw-3f",
                                        v1::SOURCE_SNMP_POLL, v1::CPU_SAMPLE)},
           kT0 + 200 * kSecond)
          .ok());
  auto r = reader();
  auto now = r->latest_registered_phones(kT0 + 300 * kSecond, 100);
  ASSERT_TRUE(now.ok()) << now.error().message;
  ASSERT_EQ(now->size(), 3u);  // by node; the switch has no counts
  EXPECT_EQ((*now)[0].event().origin(), "ucm-pub");
  EXPECT_EQ((*now)[0].event().registered_phones().registered(), 850u);
  EXPECT_EQ((*now)[1].event().origin(), "ucm-sub1");
  EXPECT_EQ((*now)[2].event().origin(), "ucm-sub2");
  auto before = r->latest_registered_phones(kT0 + 90 * kSecond, 100);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 2u);  // ucm-sub2 was first polled later
  EXPECT_EQ((*before)[0].event().registered_phones().registered(), 900u);
  EXPECT_EQ((*before)[0].event().event_time_us(), kT0 + 60 * kSecond);

  // The seek per node uses the partial index, not a scan of the events (SQLite's plan).
  if (regwatch::test::testing_postgresql()) return;
  Database* db = w->database();
  auto plan = std::move(Statement::prepare(
                            db,
                            "EXPLAIN QUERY PLAN SELECT id FROM events WHERE kind = "
                            "'registered_phones' AND origin = 'ucm-pub' AND event_time_us <= 1 "
                            "AND spoofed = 0 ORDER BY event_time_us DESC, id DESC LIMIT 1"))
                  .value();
  std::string steps;
  while (plan.step() == kStepRow) steps += std::string(plan.column_text(3)) + ";";
  EXPECT_NE(steps.find("events_registered_phones"), std::string::npos) << steps;
  EXPECT_EQ(steps.find("TEMP B-TREE"), std::string::npos) << steps;
}

// A store at schema 12 with events: migrating fills the summaries from them, addresses and
// descriptions from the payloads, and leaves spoofed rows out.
// A device's name in any case is one phones row, named in upper case (schema/016), on both
// backends: within one batch (PostgreSQL refuses an upsert that names a row twice, so two
// spellings there used to fail the whole batch) and across batches. Keys compare byte for byte,
// so both backends list them in one order ('_' after the letters).
TEST_F(SummaryTablesTest, SpellingsOfOneDeviceAreOnePhoneInOneOrderOnBothBackends) {
  auto w = writer();
  ASSERT_TRUE(w->insert_batch(
                   std::vector<v1::Event>{
                       phone("a", 1, kT0 + kSecond, "sep0017943a98ba", "10.1.2.3"),
                       phone("a", 2, kT0 + 2 * kSecond, "SEP0017943A98BA", "", "Desk 36")},
                   kT0)
                  .ok());
  ASSERT_TRUE(w->insert_batch(std::vector<v1::Event>{phone("a", 3, kT0 + 3 * kSecond,
                                                           "Sep0017943a98bA", "10.1.2.4"),
                                                     phone("a", 4, kT0 + 4 * kSecond, "CSFa_b"),
                                                     phone("a", 5, kT0 + 5 * kSecond, "CSFab")},
                              kT0)
                  .ok());
  auto r = reader();
  auto found = r->find_phones(PhoneMatch::kDevice, "sEp0017943A98ba", 10);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].device(), "SEP0017943A98BA");
  EXPECT_EQ((*found)[0].mac(), "00:17:94:3a:98:ba");  // from the name, whatever its case
  EXPECT_EQ((*found)[0].ip(), "10.1.2.4");
  EXPECT_EQ((*found)[0].description(), "Desk 36");
  EXPECT_EQ((*found)[0].last_seen_us(), kT0 + 3 * kSecond);
  EXPECT_EQ(devices(*r, PhoneMatch::kDevicePrefix, "csf"),
            (std::vector<std::string>{"CSFAB", "CSFA_B"}));
  EXPECT_EQ(devices(*r, PhoneMatch::kText, "a_"), std::vector<std::string>{"CSFA_B"});
}

// A MAC the name carries is not stored (the reads derive it), so a new phone adds nothing to
// the phones_mac index; one the name does not carry is stored. Both are found by MAC, and a
// row stored before (with the name's MAC written out) still is.
TEST_F(SummaryTablesTest, AMacIsStoredOnlyWhenTheNameDoesNotCarryIt) {
  auto w = writer();
  auto soft = phone("a", 2, kT0 + 2 * kSecond, "CSFJSMITH", "10.1.2.9");
  soft.mutable_phone()->set_mac("00:50:56:aa:bb:cc");
  auto named = phone("a", 1, kT0 + kSecond, "ATA0017943A98BA", "10.1.2.3");
  named.mutable_phone()->set_mac("00:50:56:aa:bb:cd");  // the name's wins, as before
  ASSERT_TRUE(w->insert_batch(std::vector<v1::Event>{named, soft}, kT0).ok());
  ASSERT_TRUE(exec(w->database(),
                   "INSERT INTO phones (device, mac, last_seen_us) VALUES "
                   "('SEP0017943A98BB', '00:17:94:3a:98:bb', 5)")
                  .ok());
  auto stored = Statement::prepare(w->database(), "SELECT device, mac FROM phones ORDER BY device");
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  std::vector<std::pair<std::string, std::string>> rows;
  while (stored->step() == kStepRow)
    rows.emplace_back(stored->column_text(0), stored->column_text(1));
  EXPECT_EQ(rows, (std::vector<std::pair<std::string, std::string>>{
                      {"ATA0017943A98BA", ""},
                      {"CSFJSMITH", "00:50:56:aa:bb:cc"},
                      {"SEP0017943A98BB", "00:17:94:3a:98:bb"}}));

  auto r = reader();
  EXPECT_EQ(devices(*r, PhoneMatch::kMac, "00:17:94:3a:98:ba"),
            std::vector<std::string>{"ATA0017943A98BA"});
  EXPECT_EQ(devices(*r, PhoneMatch::kMac, "00:50:56:aa:bb:cc"),
            std::vector<std::string>{"CSFJSMITH"});
  EXPECT_EQ(devices(*r, PhoneMatch::kMac, "00:17:94:3a:98:bb"),
            std::vector<std::string>{"SEP0017943A98BB"});
  EXPECT_TRUE(devices(*r, PhoneMatch::kMac, "00:50:56:aa:bb:cd").empty());
  auto found = r->find_phones(PhoneMatch::kDevice, "ATA0017943A98BA", 1);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].mac(), "00:17:94:3a:98:ba");  // derived from the name on reading
}

// Migration 016 folds the names a database at version 15 holds, on either backend, and the
// writer then adds to those rows rather than beside them.
TEST_F(SummaryTablesTest, MigrationFoldsTheNamesOfStoredPhones) {
  {
    auto opened = open_database(path_, false, 5000);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Database* raw = opened->get();
    const bool postgresql = raw->dialect() == Dialect::kPostgresql;
    if (postgresql) {
      ASSERT_TRUE(exec(raw, "CREATE TABLE regwatch_schema (version INTEGER NOT NULL)").ok());
    }
    for (const auto& migration :
         postgresql ? embedded_postgresql_migrations() : embedded_migrations()) {
      if (migration.name >= "016") break;
      ASSERT_TRUE(exec(raw, migration.sql).ok()) << migration.name;
    }
    ASSERT_TRUE(exec(raw, postgresql ? "INSERT INTO regwatch_schema VALUES (15)"
                                     : "PRAGMA user_version = 15")
                    .ok());
    ASSERT_TRUE(exec(raw,
                     "INSERT INTO phones (device, ip, ip_us, last_seen_us) VALUES "
                     "('sep0017943a98ba', '10.1.2.3', 10, 10), ('CSFj_Smith', '', 0, 20)")
                    .ok());
  }
  auto w = writer();
  ASSERT_EQ(w->schema_version(), latest_schema_version());
  auto r = reader();
  EXPECT_EQ(devices(*r, PhoneMatch::kDevicePrefix, ""),
            (std::vector<std::string>{"CSFJ_SMITH", "SEP0017943A98BA"}));
  ASSERT_TRUE(
      w->insert_batch(std::vector<v1::Event>{phone("a", 1, kT0, "SEP0017943A98BA")}, kT0).ok());
  auto found = r->find_phones(PhoneMatch::kDevicePrefix, "SEP", 10);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].ip(), "10.1.2.3");  // kept from before the migration
  EXPECT_EQ((*found)[0].last_seen_us(), kT0);
}

TEST_F(SummaryTablesTest, MigrationBackfillsTheSummariesFromStoredEvents) {
  REGWATCH_SQLITE_ONLY("SQLite's legacy migrations up to 012 and PRAGMA user_version");
  {
    auto opened = open_database(path_, false, 5000);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Database* raw = opened->get();
    const auto& migrations = embedded_migrations();
    ASSERT_GE(migrations.size(), 13u);
    for (size_t i = 0; i < 12; ++i)
      ASSERT_TRUE(exec(raw, migrations[i].sql).ok()) << migrations[i].name;
    ASSERT_TRUE(exec(raw, "PRAGMA user_version = 12").ok());
    // The statement is finalized before the connection closes (a close with a live statement
    // fails and leaks the connection).
    {
      auto insert =
          std::move(Statement::prepare(
                        raw,
                        "INSERT INTO events (agent_id, seq, event_time_us, receive_time_us, "
                        "store_time_us, origin, source, kind, device, payload, spoofed) VALUES "
                        "(?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"))
              .value();
      auto add = [&](const v1::Event& e, int64_t store_us, const std::string& source,
                     const std::string& kind, const std::string& device) {
        insert.bind(1, e.agent_id());
        insert.bind(2, static_cast<int64_t>(e.seq()));
        insert.bind(3, e.event_time_us());
        insert.bind(4, store_us);
        insert.bind(5, e.origin());
        insert.bind(6, source);
        insert.bind(7, kind);
        if (device.empty()) {
          insert.bind_null(8);
        } else {
          insert.bind(8, device);
        }
        insert.bind_blob(9, e.SerializeAsString());
        insert.bind(10, int64_t{e.provenance().spoofed() ? 1 : 0});
        ASSERT_EQ(insert.step(), kStepDone);
        insert.reset();
      };
      add(phone("edge-1", 1, kT0 + 10 * kSecond, "SEP00000000000A", "10.0.0.1", "Lobby"), kT0 + 1,
          "syslog", "phone_unregistered", "SEP00000000000A");
      add(phone("edge-1", 2, kT0 + 20 * kSecond, "SEP00000000000A", "10.0.0.2"), kT0 + 2, "syslog",
          "phone_unregistered", "SEP00000000000A");
      add(phone("edge-1", 3, kT0 + 30 * kSecond, "SEP00000000000A"), kT0 + 3, "syslog",
          "phone_unregistered", "SEP00000000000A");
      auto forged = phone("edge-1", 4, kT0 + 40 * kSecond, "SEP00000000000F", "6.6.6.6");
      forged.mutable_provenance()->set_spoofed(true);
      add(forged, kT0 + 4, "syslog", "phone_unregistered", "SEP00000000000F");
      add(counts("edge-2", 1, kT0 + 50 * kSecond, "ucm-pub", 700, 5, 0), kT0 + 5, "snmp_poll",
          "registered_phones", "");
    }
  }
  auto w = writer();
  ASSERT_EQ(w->schema_version(), latest_schema_version());
  auto r = reader();
  auto inputs = r->inputs(100);
  ASSERT_TRUE(inputs.ok()) << inputs.error().message;
  ASSERT_EQ(inputs->inputs_size(), 2);
  EXPECT_EQ(inputs->inputs(0).agent_id(), "edge-1");
  EXPECT_EQ(inputs->inputs(0).events(), 3u);  // not the forged one
  EXPECT_EQ(inputs->inputs(0).last_store_time_us(), kT0 + 3);
  EXPECT_EQ(inputs->inputs(0).last_event_time_us(), kT0 + 30 * kSecond);
  EXPECT_EQ(inputs->inputs(1).origin(), "ucm-pub");

  auto found = r->find_phones(PhoneMatch::kDevicePrefix, "SEP", 10);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].device(), "SEP00000000000A");
  EXPECT_EQ((*found)[0].mac(), "00:00:00:00:00:0a");
  EXPECT_EQ((*found)[0].ip(), "10.0.0.2");  // the newest event that gave one
  EXPECT_EQ((*found)[0].description(), "Lobby");
  EXPECT_EQ((*found)[0].last_seen_us(), kT0 + 30 * kSecond);
  auto nodes = r->latest_registered_phones(kT0 + 100 * kSecond, 10);
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ((*nodes)[0].event().registered_phones().registered(), 700u);

  // And the writer keeps them from here: a newer description replaces the backfilled one.
  ASSERT_TRUE(w->insert_batch(std::vector<v1::Event>{phone("edge-1", 5, kT0 + 60 * kSecond,
                                                           "SEP00000000000A", "", "Lobby left")},
                              kT0 + 6)
                  .ok());
  EXPECT_EQ((*r->find_phones(PhoneMatch::kDevice, "SEP00000000000A", 1))[0].description(),
            "Lobby left");
  EXPECT_EQ(r->inputs(100)->inputs(0).events(), 4u);
}

}  // namespace
}  // namespace regwatch::collector::store
