// The one customer lookup behind `state get`, /customers/{id} and the changelog restore.
#include "runtime/shard/customer_lookup.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "runtime/shard/emission_sink.h"
#include "state/customer_state_codec.h"
#include "state/store/store_batch.h"
#include "tests/common/shard_test_support.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

using cx::testing::NullSink;
using cx::testing::OpenTestStore;

// The lookup's answer; a store error fails the test.
CustomerLookup Lookup(const Result<CustomerLookup>& result) {
  EXPECT_TRUE(result.ok()) << result.error().message();
  return result ? *result : CustomerLookup::kNotFound;
}

void Put(StateStore& store, const std::string& id, std::string_view bytes) {
  StoreBatch batch;
  batch.PutCustomer(id, bytes);
  ASSERT_TRUE(store.Commit(batch).IsOk());
}

TEST(CustomerLookup, StoredStateIsFoundNotFoundOrCorrupt) {
  cx::testing::TempDir dir;
  std::unique_ptr<StateStore> store = OpenTestStore(dir);
  ASSERT_NE(store, nullptr);
  CustomerState state;
  state.last_activity = EventTime::FromMillis(1'800'000'000'000);
  std::string bytes;
  EncodeCustomerState(state, bytes);
  Put(*store, "c-1", bytes);
  Put(*store, "c-bad", "\xff\xff not a state");

  CustomerState found;
  EXPECT_EQ(Lookup(ReadStoredCustomer(*store, "c-1", found)), CustomerLookup::kFound);
  EXPECT_EQ(found.last_activity, state.last_activity);
  EXPECT_EQ(Lookup(ReadStoredCustomer(*store, "c-2", found)), CustomerLookup::kNotFound);
  EXPECT_EQ(Lookup(ReadStoredCustomer(*store, "c-bad", found)), CustomerLookup::kCorrupt);
}

TEST(CustomerLookup, ALiveShardAnswersFromItsCacheBeforeItsStore) {
  cx::testing::TempDir dir;
  std::unique_ptr<StateStore> store = OpenTestStore(dir);
  ASSERT_NE(store, nullptr);
  CustomerState stored;
  stored.last_activity = EventTime::FromMillis(1000);
  std::string bytes;
  EncodeCustomerState(stored, bytes);
  Put(*store, "c-1", bytes);

  RulesConfig rules;
  NullSink sink;
  Shard shard(0, rules, std::move(store), 100, sink);
  Result<void> restored = shard.Restore();
  ASSERT_TRUE(restored.ok()) << restored.error().message();

  CustomerState found;
  EXPECT_EQ(Lookup(FindCustomer(shard, "c-1", found)), CustomerLookup::kFound);
  EXPECT_EQ(found.last_activity, EventTime::FromMillis(1000));
  EXPECT_EQ(Lookup(FindCustomer(shard, "nobody", found)), CustomerLookup::kNotFound);

  // A cached change not committed yet is what a live lookup must see.
  Result<CustomerState*> load = shard.cache().GetOrLoad("c-1");
  ASSERT_TRUE(load.ok());
  (*load)->last_activity = EventTime::FromMillis(2000);
  EXPECT_EQ(Lookup(FindCustomer(shard, "c-1", found)), CustomerLookup::kFound);
  EXPECT_EQ(found.last_activity, EventTime::FromMillis(2000));
}

}  // namespace
}  // namespace cx
