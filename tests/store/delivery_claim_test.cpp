// The outbox's delivery claims (collector/store/alert_outbox.h): a claimed notification is not
// due for anyone else and cannot be claimed twice, a claim is all or nothing, it ends when the
// send's outcome is recorded or when its window runs out, and a fenced outbox claims only while
// its holder still holds the leader lease with its term. Both backends (POSTGRESQL in CMake).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "collector/store/alert_outbox.h"
#include "collector/store/event_writer.h"
#include "collector/store/leader_lease.h"
#include "tests/store/test_store.h"

namespace regwatch::collector::store {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kLongWindowUs = 60'000'000;
constexpr int64_t kLongLeaseUs = 60'000'000;

class DeliveryClaimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/regwatch-claim-XXXXXX";
    dir_ = mkdtemp(templ);
    path_ = regwatch::test::test_store_location((dir_ / "regwatch.db").string());
    auto writer = EventWriter::open(path_);  // creates or migrates the schema
    ASSERT_TRUE(writer.ok()) << writer.error().message;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Each call is another connection, as another collector's delivery thread has.
  std::unique_ptr<AlertOutbox> outbox(LeaseFence fence = {}) {
    auto opened = AlertOutbox::open(path_, 5000, std::move(fence));
    EXPECT_TRUE(opened.ok()) << opened.error().message;
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  // Owes one first page for alert `key` to the pager; its row id.
  int64_t owe(AlertOutbox& box, const std::string& key) {
    Notice notice;
    notice.status = v1::ALERT_STATUS_FIRING;
    notice.reason = NoticeReason::kFirst;
    EXPECT_TRUE(*box.owe("pager", key, 0, notice, 10, 10));
    return (*box.last("pager", key))->id;
  }
  static std::vector<int64_t> due_ids(AlertOutbox& box) {
    auto due = box.due("pager", 100, 10);
    EXPECT_TRUE(due.ok()) << due.error().message;
    std::vector<int64_t> ids;
    if (due.ok()) {
      std::transform(due->begin(), due->end(), std::back_inserter(ids),
                     [](const auto& row) { return row.id; });
    }
    return ids;
  }
  static bool has(const std::vector<int64_t>& ids, int64_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(DeliveryClaimTest, AClaimedRowIsNotDueForOthersAndCannotBeClaimedTwice) {
  auto a = outbox();
  auto b = outbox();
  const int64_t first = owe(*a, "cm_node:ucm-sub1@1");
  const int64_t second = owe(*a, "cm_node:ucm-sub2@2");
  ASSERT_TRUE(*a->claim({first}, kLongWindowUs));
  EXPECT_FALSE(has(due_ids(*b), first));
  // Nor is it what the next pass waits for (it would wake at once and spin on it).
  ASSERT_TRUE(*a->claim({second}, kLongWindowUs));
  EXPECT_FALSE(b->next_due("pager")->has_value());
  ASSERT_TRUE(a->postpone(second, 10).ok());  // its claim ends: due again
  EXPECT_EQ(*b->next_due("pager"), std::optional<int64_t>(10));
  EXPECT_TRUE(has(due_ids(*b), second));
  EXPECT_FALSE(*b->claim({first}, kLongWindowUs));
  // All or nothing: the second row is not left claimed by a claim that failed on the first.
  EXPECT_FALSE(*b->claim({second, first}, kLongWindowUs));
  EXPECT_TRUE(has(due_ids(*a), second));
  EXPECT_TRUE(*b->claim({second}, kLongWindowUs));
  // Delivered: no longer due, and never claimed again.
  ASSERT_TRUE(a->delivered(first, 20).ok());
  EXPECT_FALSE(has(due_ids(*b), first));
  EXPECT_FALSE(*b->claim({first}, 0));
}

TEST_F(DeliveryClaimTest, AClaimEndsWithTheOutcomeOrWhenItsWindowRunsOut) {
  auto a = outbox();
  auto b = outbox();
  const int64_t failed = owe(*a, "cm_node:ucm-sub1@1");
  const int64_t postponed = owe(*a, "cm_node:ucm-sub2@2");
  const int64_t abandoned = owe(*a, "cm_node:ucm-sub3@3");
  ASSERT_TRUE(*a->claim({failed, postponed}, kLongWindowUs));
  ASSERT_TRUE(a->failed(failed, "connection refused", 50, false).ok());
  ASSERT_TRUE(a->postpone(postponed, 60).ok());
  EXPECT_TRUE(*b->claim({failed, postponed}, kLongWindowUs));
  // A collector that died mid-send: its claim runs out, then the next leader may send it.
  ASSERT_TRUE(*a->claim({abandoned}, 0));
  EXPECT_TRUE(has(due_ids(*b), abandoned));
  EXPECT_TRUE(*b->claim({abandoned}, kLongWindowUs));
}

TEST_F(DeliveryClaimTest, AFencedOutboxClaimsOnlyWhileItsHolderHoldsTheLeaseWithItsTerm) {
  auto opened = LeaderLease::open(path_, "collector-a", "127.0.0.1:7443", kLongLeaseUs);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto lease = std::move(opened).value();
  const auto term = lease->acquire_or_renew();
  ASSERT_TRUE(term.ok() && term->has_value());
  auto plain = outbox();
  const int64_t one = owe(*plain, "cm_node:ucm-sub1@1");
  const int64_t two = owe(*plain, "cm_node:ucm-sub2@2");
  // Another holder, or this holder under an older term, claims nothing.
  EXPECT_FALSE(*outbox({"collector-b", **term})->claim({one}, kLongWindowUs));
  EXPECT_FALSE(*outbox({"collector-a", **term - 1})->claim({one}, kLongWindowUs));
  EXPECT_TRUE(*outbox({"collector-a", **term})->claim({one}, kLongWindowUs));
  // The lease handed over (released): the same fence claims nothing any more.
  auto leader = outbox({"collector-a", **term});
  ASSERT_TRUE(lease->release().ok());
  EXPECT_FALSE(*leader->claim({two}, kLongWindowUs));
  EXPECT_TRUE(has(due_ids(*plain), two));
}

}  // namespace
}  // namespace regwatch::collector::store
