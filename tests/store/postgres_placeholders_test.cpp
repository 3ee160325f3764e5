// The ?N -> $N translation of the PostgreSQL driver (collector/store/postgres_placeholders.h).
#include "collector/store/postgres_placeholders.h"

#include <gtest/gtest.h>

#include <string>

namespace regwatch::collector::store {
namespace {

std::string translated(std::string_view sql) {
  auto out = translate_placeholders(sql);
  EXPECT_TRUE(out.ok()) << out.error().message;
  return out.ok() ? out->text : "";
}

TEST(PostgresPlaceholders, NumberedBecomeDollars) {
  auto out = translate_placeholders("SELECT * FROM t WHERE a = ?1 AND b > ?12 OR c = ?1");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->text, "SELECT * FROM t WHERE a = $1 AND b > $12 OR c = $1");
  EXPECT_EQ(out->parameters, 12);
  ASSERT_EQ(out->used.size(), 12u);
  EXPECT_TRUE(out->used[0]);
  EXPECT_FALSE(out->used[1]);
  EXPECT_TRUE(out->used[11]);
}

TEST(PostgresPlaceholders, BareOnesCountOnFromTheLargestSoFar) {
  auto out = translate_placeholders("VALUES (?2, ?, ?1, ?)");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->text, "VALUES ($2, $3, $1, $4)");
  EXPECT_EQ(out->parameters, 4);
  EXPECT_EQ(translated("VALUES (?, ?, ?)"), "VALUES ($1, $2, $3)");
}

TEST(PostgresPlaceholders, QuotedTextAndCommentsAreLeftAlone) {
  EXPECT_EQ(translated("SELECT 'is it?' , ?1"), "SELECT 'is it?' , $1");
  EXPECT_EQ(translated("SELECT 'it''s ?1 or ?' , ?"), "SELECT 'it''s ?1 or ?' , $1");
  EXPECT_EQ(translated("SELECT \"odd?name\" FROM t WHERE x = ?"),
            "SELECT \"odd?name\" FROM t WHERE x = $1");
  EXPECT_EQ(translated("SELECT \"a\"\"?\" , ?"), "SELECT \"a\"\"?\" , $1");
  EXPECT_EQ(translated("SELECT ? -- why ?3\n, ?"), "SELECT $1 -- why ?3\n, $2");
  EXPECT_EQ(translated("SELECT /* ? /* nested ? */ still ? */ ?"),
            "SELECT /* ? /* nested ? */ still ? */ $1");
}

TEST(PostgresPlaceholders, WhatIsLeftOpenIsCopiedForTheServerToRefuse) {
  EXPECT_EQ(translated("SELECT ?, 'open ?"), "SELECT $1, 'open ?");
  EXPECT_EQ(translated("SELECT ? /* open ?"), "SELECT $1 /* open ?");
  EXPECT_EQ(translated("SELECT ? -- ?"), "SELECT $1 -- ?");
  EXPECT_EQ(translated(""), "");
}

TEST(PostgresPlaceholders, NoParameters) {
  auto out = translate_placeholders("SELECT 1");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->text, "SELECT 1");
  EXPECT_EQ(out->parameters, 0);
}

TEST(PostgresPlaceholders, NumbersOutsideSqlitesRangeAreNamedErrors) {
  auto zero = translate_placeholders("SELECT ?0");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, "bad_placeholder");
  auto at_limit = translate_placeholders("SELECT ?32766");
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->parameters, kMaxPlaceholder);
  auto past_limit = translate_placeholders("SELECT ?32767");
  ASSERT_FALSE(past_limit.ok());
  EXPECT_EQ(past_limit.error().code, "bad_placeholder");
  auto huge = translate_placeholders("SELECT ?99999999999999999999999");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, "bad_placeholder");
  auto bare_past_limit = translate_placeholders("SELECT ?32766, ?");
  ASSERT_FALSE(bare_past_limit.ok());
  EXPECT_EQ(bare_past_limit.error().code, "bad_placeholder");
}

}  // namespace
}  // namespace regwatch::collector::store
