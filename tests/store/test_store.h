#pragma once
// Where a test's store lives, so that one test runs on either backend (issue 24: "the whole test
// suite runs against both"). With $REGWATCH_TEST_STORE=postgresql, every location is a fresh,
// empty database on a PostgreSQL server shared by the run; otherwise it is the SQLite path given.
//
//   path_ = test_store_location((dir_ / "events.db").string());
//   auto writer = EventWriter::open(path_);
//
// The server: the one whose URL ctest's fixture (regwatch_test_pg_server start) wrote to
// $REGWATCH_TEST_PG_SERVER_FILE, else one this process starts on first use and stops at exit.
// The same SQLite path asked for twice gives the same database back, so a test that reopens its
// store finds what it wrote. A server that cannot be had is a test failure (ADD_FAILURE), and the
// SQLite path is returned so that the test fails visibly rather than crashes.
#include <string>

#include "collector/store/database.h"
#include "common/result.h"

namespace regwatch::test {

// True when $REGWATCH_TEST_STORE is "postgresql".
bool testing_postgresql();

// The SQLite path itself, or (testing_postgresql()) the URL of a database of its own.
std::string test_store_location(const std::string& sqlite_path);

// Makes every insert into events fail, as a store that fails for real does, on either backend (a
// trigger raising "disk is on fire"), until heal_event_inserts().
Status break_event_inserts(collector::store::Database* db);
Status heal_event_inserts(collector::store::Database* db);

// For tests about SQLite itself: GTEST_SKIP()s them on PostgreSQL with the reason.
#define REGWATCH_SQLITE_ONLY(reason)                                      \
  do {                                                                    \
    if (::regwatch::test::testing_postgresql()) GTEST_SKIP() << (reason); \
  } while (false)

}  // namespace regwatch::test
