#pragma once
// A fresh SQLite event store in a temporary directory, with a writer and a reader on it, for
// tests of what the correlation runner reads from the store. Removed after the test.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "collector/store/event_reader.h"
#include "collector/store/event_writer.h"
#include "tests/store/test_store.h"

namespace regwatch::collector {

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-store-XXXXXX";
    dir_ = mkdtemp(templ);
    const std::string path = regwatch::test::test_store_location((dir_ / "events.db").string());
    auto writer = store::EventWriter::open(path);
    ASSERT_TRUE(writer.ok()) << writer.error().message;
    writer_ = std::move(writer).value();
    auto reader = store::EventReader::open(path);
    ASSERT_TRUE(reader.ok()) << reader.error().message;
    reader_ = std::move(reader).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::unique_ptr<store::EventWriter> writer_;
  std::unique_ptr<store::EventReader> reader_;
};

}  // namespace regwatch::collector
