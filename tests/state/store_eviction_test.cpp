#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "state/customer_state_codec.h"
#include "state/store/state_store.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

using testing::TempDir;

constexpr EventTime kDay0 = EventTime::FromMillis(1'790'000'000'000);

std::string Encoded(EventTime last_activity) {
  CustomerState state;
  state.last_activity = last_activity;
  std::string bytes;
  EncodeCustomerState(state, bytes);
  return bytes;
}

std::unique_ptr<StateStore> OpenAt(const std::string& path) {
  StoreOptions options;
  options.path = path;
  options.evict_after = Duration::Days(1);
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.error().message();
  return store ? std::move(store).value() : nullptr;
}

// old: active on day 0; edge: active exactly at the cutoff; fresh: active on day 5.
void WriteThreeCustomers(StateStore& store) {
  StoreBatch batch;
  batch.PutCustomer("old", Encoded(kDay0));
  batch.PutCustomer("edge", Encoded(kDay0 + Duration::Days(4)));
  batch.PutCustomer("fresh", Encoded(kDay0 + Duration::Days(5)));
  const StoreResult result = store.Commit(batch);
  ASSERT_TRUE(result.IsOk()) << result.message();
}

const EventTime kHorizon = kDay0 + Duration::Days(5);

std::vector<std::string> CustomerIds(StateStore& store) {
  std::vector<std::string> ids;
  const StoreResult result = store.ForEachCustomer([&](std::string_view id, std::string_view) {
    ids.emplace_back(id);
    return true;
  });
  EXPECT_TRUE(result.IsOk()) << result.message();
  return ids;
}

TEST(StoreEvictionTest, NothingIsEvictedBeforeAHorizonIsSet) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  WriteThreeCustomers(*store);
  ASSERT_TRUE(store->CompactAll().IsOk());
  EXPECT_EQ(CustomerIds(*store), (std::vector<std::string>{"edge", "fresh", "old"}));
  EXPECT_EQ(store->Stats().evicted_by_compaction, 0u);
}

TEST(StoreEvictionTest, ReadsHideCustomersBeyondTheHorizonWithoutCompaction) {
  TempDir dir;
  {
    auto store = OpenAt(dir.Path());
    ASSERT_NE(store, nullptr);
    WriteThreeCustomers(*store);
    store->SetEvictionHorizon(kHorizon);
    EXPECT_EQ(store->EvictionCutoff(), kDay0 + Duration::Days(4));
    std::string bytes;
    EXPECT_TRUE(store->GetCustomer("old", bytes).IsNotFound());
    EXPECT_TRUE(store->GetCustomer("edge", bytes).IsOk());
    EXPECT_TRUE(store->GetCustomer("fresh", bytes).IsOk());
    EXPECT_EQ(CustomerIds(*store), (std::vector<std::string>{"edge", "fresh"}));
    EXPECT_EQ(store->Stats().evicted_on_read, 1u);

    store->SetEvictionHorizon(kDay0);
    EXPECT_EQ(store->EvictionCutoff(), kDay0 + Duration::Days(4)) << "horizon moved back";
    EXPECT_TRUE(store->GetCustomer("old", bytes).IsNotFound());
  }
  // Nothing was compacted away: without a horizon the old customer is still on disk.
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  std::string bytes;
  EXPECT_TRUE(store->GetCustomer("old", bytes).IsOk());
  EXPECT_EQ(store->Stats().evicted_by_compaction, 0u);
}

TEST(StoreEvictionTest, CompactionDeletesCustomersBeyondTheHorizon) {
  TempDir dir;
  {
    auto store = OpenAt(dir.Path());
    ASSERT_NE(store, nullptr);
    WriteThreeCustomers(*store);
    ASSERT_TRUE(store->Flush().IsOk());
    store->SetEvictionHorizon(kHorizon);
    ASSERT_TRUE(store->CompactAll().IsOk());
    EXPECT_EQ(store->Stats().evicted_by_compaction, 1u);
    EXPECT_EQ(CustomerIds(*store), (std::vector<std::string>{"edge", "fresh"}));
  }
  // Reopened without a horizon, reads hide nothing: the old customer is physically gone.
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  std::string bytes;
  EXPECT_TRUE(store->GetCustomer("old", bytes).IsNotFound());
  ASSERT_TRUE(store->GetCustomer("edge", bytes).IsOk());
  EXPECT_EQ(LastActivityOfEncoded(bytes), kDay0 + Duration::Days(4));
  EXPECT_EQ(CustomerIds(*store), (std::vector<std::string>{"edge", "fresh"}));
}

TEST(StoreEvictionTest, NewerActivityOverridesAnOldVersionInALowerLevel) {
  TempDir dir;
  auto store = OpenAt(dir.Path());
  ASSERT_NE(store, nullptr);
  WriteThreeCustomers(*store);
  ASSERT_TRUE(store->CompactAll().IsOk());
  StoreBatch batch;
  batch.PutCustomer("old", Encoded(kHorizon));
  ASSERT_TRUE(store->Commit(batch).IsOk());
  store->SetEvictionHorizon(kHorizon);
  ASSERT_TRUE(store->CompactAll().IsOk());
  std::string bytes;
  ASSERT_TRUE(store->GetCustomer("old", bytes).IsOk());
  EXPECT_EQ(LastActivityOfEncoded(bytes), kHorizon);
}

}  // namespace
}  // namespace cx
