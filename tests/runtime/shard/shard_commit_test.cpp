// A Shard's commit when the write of a taken batch overlaps with processing (the live
// processor's background commit): the take hands the dirty set over, later changes go into the
// next batch, and nothing is evicted before it is in the store.
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/shard/emission_sink.h"
#include "runtime/shard/shard.h"
#include "schemas/json_writer.h"
#include "state/customer_state_codec.h"
#include "state/store/customer_key.h"
#include "state/store/store_batch.h"
#include "tests/common/shard_test_support.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

constexpr int64_t kT0 = 1'790'000'000'000;

using cx::testing::NullSink;
using cx::testing::OpenTestStore;

Event PageView(std::string_view customer_id, std::string_view event_id, int64_t ts) {
  Event e;
  e.type = EventType::kClick;
  e.action = Action::kPageView;
  e.ts = EventTime::FromMillis(ts);
  e.event_id = event_id;
  e.customer_id = customer_id;
  e.page = "/home";
  return e;
}

void MustProcess(Shard& shard, const Event& event) {
  Result<void> processed = shard.Process(event);
  ASSERT_TRUE(processed.ok()) << processed.error().message();
}

// The last activity the store holds for `customer_id` (Min when none).
EventTime StoredActivity(StateStore& store, const std::string& customer_id) {
  std::string bytes;
  if (!store.GetCustomer(customer_id, bytes).IsOk()) {
    return EventTime::Min();
  }
  CustomerState state;
  EXPECT_TRUE(DecodeCustomerState(bytes, state));
  return state.last_activity;
}

std::vector<std::string> CustomersIn(const StoreBatch& batch) {
  std::vector<std::string> keys;
  batch.ForEach([&](StoreOp op, std::string_view key, std::string_view) {
    if (op == StoreOp::kPutCustomer) keys.emplace_back(key);
  });
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(ShardCommit, ProcessingWhileTheTakenBatchIsWrittenLosesNoChange) {
  cx::testing::TempDir dir;
  std::unique_ptr<StateStore> opened = OpenTestStore(dir);
  ASSERT_NE(opened, nullptr);
  RulesConfig rules;
  NullSink sink;
  // A cache of one customer: anything evicted too early would be read back stale.
  Shard shard(0, rules, std::move(opened), 1, sink);
  ASSERT_TRUE(shard.Restore().ok());

  MustProcess(shard, PageView("a", "e1", kT0));
  StoreBatch first;
  shard.TakeCommitBatch(first);
  EXPECT_EQ(CustomersIn(first), std::vector<std::string>{"a"});
  EXPECT_EQ(shard.DirtyCount(), 0u) << "the take hands the dirty set over";

  // The batch is written on another thread while the shard keeps processing.
  Result<void> written = Ok();
  std::thread writer([&] { written = shard.WriteBatch(first); });
  MustProcess(shard, PageView("a", "e2", kT0 + 1000));
  MustProcess(shard, PageView("b", "e3", kT0 + 2000));
  MustProcess(shard, PageView("c", "e4", kT0 + 3000));
  writer.join();
  ASSERT_TRUE(written.ok()) << written.error().message();
  EXPECT_EQ(shard.cache().Size(), 3u) << "nothing is evicted before the batch is written";
  shard.OnBatchWritten();

  EXPECT_EQ(StoredActivity(shard.store(), "a"), EventTime::FromMillis(kT0));
  EXPECT_EQ(shard.DirtyCount(), 3u) << "changes after the take stay dirty";
  EXPECT_EQ(shard.cache().Size(), 3u) << "dirty customers are not evicted";

  StoreBatch second;
  shard.TakeCommitBatch(second);
  EXPECT_EQ(CustomersIn(second), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_TRUE(shard.CommitBatch(second).ok());
  EXPECT_EQ(shard.cache().Size(), 1u) << "written customers are evicted down to the bound";
  EXPECT_EQ(StoredActivity(shard.store(), "a"), EventTime::FromMillis(kT0 + 1000));
  EXPECT_EQ(StoredActivity(shard.store(), "b"), EventTime::FromMillis(kT0 + 2000));
  EXPECT_EQ(StoredActivity(shard.store(), "c"), EventTime::FromMillis(kT0 + 3000));

  // Customers read back from the store carry everything: their seen events are duplicates.
  for (const char* event_id : {"e1", "e2"}) {
    MustProcess(shard, PageView("a", event_id, kT0 + 1000));
  }
  MustProcess(shard, PageView("b", "e3", kT0 + 2000));
  EXPECT_EQ(shard.stats().duplicates, 3u);
  EXPECT_EQ(shard.stats().events_applied, 4u);
}

TEST(ShardCommit, ACommittedShardReopensWithTheStateOfItsLastWrittenBatch) {
  cx::testing::TempDir dir;
  RulesConfig rules;
  NullSink sink;
  {
    std::unique_ptr<StateStore> opened = OpenTestStore(dir);
    ASSERT_NE(opened, nullptr);
    Shard shard(0, rules, std::move(opened), 10, sink);
    ASSERT_TRUE(shard.Restore().ok());
    MustProcess(shard, PageView("a", "e1", kT0));
    StoreBatch first;
    shard.TakeCommitBatch(first);
    // Processed after the take, never taken: must not reach the store (a rollback drops it).
    MustProcess(shard, PageView("a", "e2", kT0 + 1000));
    ASSERT_TRUE(shard.WriteBatch(first).ok());
    shard.OnBatchWritten();
    EXPECT_EQ(shard.DirtyCount(), 1u);
  }
  std::unique_ptr<StateStore> reopened = OpenTestStore(dir);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(StoredActivity(*reopened, "a"), EventTime::FromMillis(kT0));
  Shard shard(0, rules, std::move(reopened), 10, sink);
  ASSERT_TRUE(shard.Restore().ok());
  EXPECT_EQ(shard.max_event_time(), EventTime::FromMillis(kT0))
      << "the checkpoint is the one taken with the batch";
  MustProcess(shard, PageView("a", "e2", kT0 + 1000));
  EXPECT_EQ(shard.stats().duplicates, 0u) << "e2 was rolled back, so it applies again";
}

// Keeps every emission as JSON, in order.
class RecordingSink final : public EmissionSink {
 public:
  void OnSignal(const Signal& signal) override { AppendSignalJson(signal, out += '\n'); }
  void OnAlert(const Alert& alert) override { AppendAlertJson(alert, out += '\n'); }
  void OnDeadLetter(const DeadLetter&) override {}
  std::string out;
};

// The end of a replay: a timer of every customer fires in one watermark advance. Committing
// between firings (so that a small cache can evict) keeps the order and the outputs.
TEST(ShardCommit, CommittingBetweenFiringsKeepsTheOutputs) {
  constexpr int kCustomers = 60;
  constexpr size_t kCache = 5;
  std::vector<std::string> ids;
  ids.reserve(kCustomers);
  for (int i = 0; i < kCustomers; ++i) ids.push_back("c-" + std::to_string(i));
  auto run = [&](bool commit_between, size_t& most_dirty, int& commits) {
    cx::testing::TempDir dir;
    std::unique_ptr<StateStore> opened = OpenTestStore(dir);
    EXPECT_NE(opened, nullptr);
    RulesConfig rules;
    RecordingSink sink;
    Shard shard(0, rules, std::move(opened), commit_between ? kCache : 1000, sink);
    EXPECT_TRUE(shard.Restore().ok());
    for (int i = 0; i < kCustomers; ++i) {
      // Event holds string_views: the strings outlive the Process call.
      const std::string event_id = ids[static_cast<size_t>(i)] + "-q";
      const std::string contact_id = ids[static_cast<size_t>(i)] + "-call";
      Event call;
      call.type = EventType::kCall;
      call.action = Action::kQueued;
      call.ts = EventTime::FromMillis(kT0 + 1000 * ((i * 7) % kCustomers));  // deadlines apart
      call.event_id = event_id;
      call.customer_id = ids[static_cast<size_t>(i)];
      call.contact_id = contact_id;
      MustProcess(shard, call);
      if (commit_between && shard.DirtyCount() >= kCache) {
        EXPECT_TRUE(shard.Commit().ok());
      }
    }
    EXPECT_TRUE(shard.Commit().ok());
    EXPECT_EQ(shard.pending_timers(), static_cast<size_t>(kCustomers));
    most_dirty = 0;
    commits = 0;
    std::function<Result<void>()> between = [&]() -> Result<void> {
      most_dirty = std::max(most_dirty, shard.DirtyCount());
      if (shard.DirtyCount() < kCache) return Ok();
      ++commits;
      return shard.Commit();
    };
    Result<void> advanced = shard.AdvanceWatermark(EventTime::FromMillis(kT0 + 86'400'000),
                                                   commit_between ? between : nullptr);
    EXPECT_TRUE(advanced.ok()) << advanced.error().message();
    EXPECT_TRUE(shard.Commit().ok());
    EXPECT_EQ(shard.cache().Size() <= kCache, commit_between);
    return sink.out;
  };
  size_t most_dirty = 0;
  int commits = 0;
  const std::string once = run(false, most_dirty, commits);
  const std::string committing = run(true, most_dirty, commits);
  EXPECT_NE(once.find("sla_breach"), std::string::npos) << once.substr(0, 500);
  EXPECT_EQ(committing, once);
  EXPECT_LE(most_dirty, kCache);
  EXPECT_GE(commits, kCustomers / static_cast<int>(kCache) - 1);
}

// Queued calls of `count` customers whose SLA deadlines lie seconds apart, in a shard of `slice`
// (customers of other slices skipped).
void QueueCalls(Shard& shard, const std::vector<std::string>& ids, CustomerSlice slice) {
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!slice.Holds(CustomerKey(ids[i]).hash)) continue;
    const std::string event_id = ids[i] + "-q";
    const std::string contact_id = ids[i] + "-call";
    Event call;
    call.type = EventType::kCall;
    call.action = Action::kQueued;
    call.ts = EventTime::FromMillis(kT0 + 1000 * static_cast<int64_t>((i * 7) % ids.size()));
    call.event_id = event_id;
    call.customer_id = ids[i];
    call.contact_id = contact_id;
    MustProcess(shard, call);
  }
}

// A replay on several threads fires what the end of the input makes due in steps of deadlines
// (Shard::FireDueBefore): each step sees the whole new watermark, so the steps together give
// one AdvanceWatermark's outputs in its order.
TEST(ShardCommit, FiringInStepsOfDeadlinesGivesTheOutputsOfOneAdvance) {
  std::vector<std::string> ids;
  ids.reserve(40);
  for (int i = 0; i < 40; ++i) ids.push_back("c-" + std::to_string(i));
  const EventTime to = EventTime::FromMillis(kT0 + 86'400'000);
  auto run = [&](int64_t step_ms) {
    cx::testing::TempDir dir;
    RulesConfig rules;
    RecordingSink sink;
    Shard shard(0, rules, OpenTestStore(dir), 1000, sink);
    EXPECT_TRUE(shard.Restore().ok());
    QueueCalls(shard, ids, CustomerSlice{});
    if (step_ms == 0) {
      EXPECT_TRUE(shard.AdvanceWatermark(to).ok());
    } else {
      int steps = 0;
      while (shard.NextQueuedDeadline() < to) {
        const EventTime before = EventTime::FromMillis(shard.NextQueuedDeadline().ms + step_ms);
        EXPECT_TRUE(shard.FireDueBefore(to, before).ok());
        EXPECT_GE(shard.NextQueuedDeadline(), before);
        ++steps;
      }
      EXPECT_GT(steps, 3);
    }
    EXPECT_EQ(shard.watermark(), to);
    EXPECT_EQ(shard.pending_timers(), 0u);
    return sink.out;
  };
  const std::string once = run(0);
  EXPECT_NE(once.find("sla_breach"), std::string::npos) << once.substr(0, 500);
  EXPECT_EQ(run(5000), once);
  EXPECT_EQ(run(1), once);
}

// Shards of a replay's slices share one store: each restores only its own customers' timers.
TEST(ShardCommit, ASlicedShardRestoresOnlyItsSlicesTimers) {
  std::vector<std::string> ids;
  ids.reserve(60);
  for (int i = 0; i < 60; ++i) ids.push_back("c-" + std::to_string(i));
  cx::testing::TempDir dir;
  RulesConfig rules;
  NullSink sink;
  std::shared_ptr<StateStore> store = OpenTestStore(dir);
  {
    Shard writer(0, rules, store, 1000, sink);
    ASSERT_TRUE(writer.Restore().ok());
    QueueCalls(writer, ids, CustomerSlice{});
    ASSERT_TRUE(writer.Commit().ok());
    ASSERT_EQ(writer.pending_timers(), ids.size());
  }
  size_t restored = 0;
  for (size_t slice = 0; slice < 3; ++slice) {
    Shard shard(0, rules, store, 1000, sink);
    shard.SetSlice(CustomerSlice{slice, 3});
    ASSERT_TRUE(shard.Restore().ok());
    size_t expected = 0;
    for (const std::string& id : ids) {
      expected += CustomerSlice::Of(CustomerKey(id).hash, 3) == slice ? 1 : 0;
    }
    EXPECT_EQ(shard.pending_timers(), expected) << "slice " << slice;
    EXPECT_GT(expected, 5u) << "slice " << slice;
    restored += shard.pending_timers();
  }
  EXPECT_EQ(restored, ids.size());
}

}  // namespace
}  // namespace cx
