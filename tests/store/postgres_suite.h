#pragma once
// A gtest fixture for test suites that need a real PostgreSQL: one server for the whole suite
// (tests/store/postgres_server.h: initdb into a temporary folder, loopback only), started before
// its first test and stopped after its last, and a fresh database per test.
//
//   class MyTest : public regwatch::test::PostgresSuite {};
//   TEST_F(MyTest, Something) { auto url = fresh_database("t_"); ... }
//
// Without PostgreSQL's binaries every test skips (CI sets $REGWATCH_REQUIRE_POSTGRES, under
// which the server fails to start instead, and so every test fails); any other start error
// fails every test with the reason.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "common/result.h"
#include "tests/store/postgres_server.h"

namespace regwatch::test {

class PostgresSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();
  // Skips or fails the test when the suite has no server (call first in a SetUp override).
  void SetUp() override;

  // The suite's server; non-null inside a test that got past SetUp().
  static PostgresServer& server() { return *shared_server_; }
  // A new empty database named prefix + this test's name (lower case), and its URL; a failure
  // is a test failure and an empty URL.
  static std::string fresh_database(const std::string& prefix);

 private:
  static std::unique_ptr<PostgresServer> shared_server_;
  static Error start_error_;
};

}  // namespace regwatch::test
