#include "tests/store/postgres_suite.h"

#include <cctype>

namespace regwatch::test {

std::unique_ptr<PostgresServer> PostgresSuite::shared_server_;
Error PostgresSuite::start_error_;

void PostgresSuite::SetUpTestSuite() {
  auto started = PostgresServer::start();
  if (started.ok()) {
    shared_server_ = std::move(started).value();
  } else {
    start_error_ = started.error();
  }
}

void PostgresSuite::TearDownTestSuite() {
  shared_server_.reset();
}

void PostgresSuite::SetUp() {
  if (shared_server_ != nullptr) return;
  if (start_error_.code == "not_installed") GTEST_SKIP() << start_error_.message;
  FAIL() << "PostgreSQL did not start: " << start_error_.message;
}

std::string PostgresSuite::fresh_database(const std::string& prefix) {
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto url = shared_server_->create_database(prefix + name);
  EXPECT_TRUE(url.ok()) << url.error().message;
  return url.ok() ? *url : std::string();
}

}  // namespace regwatch::test
