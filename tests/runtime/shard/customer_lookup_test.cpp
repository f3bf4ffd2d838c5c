// The one customer lookup behind `state get`, /customers/{id} and the changelog restore.
#include "runtime/shard/customer_lookup.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "runtime/shard/emission_sink.h"
#include "state/customer_state_codec.h"
#include "state/store/store_batch.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

class NullSink final : public EmissionSink {
 public:
  void OnSignal(const Signal&) override {}
  void OnAlert(const Alert&) override {}
  void OnDeadLetter(const DeadLetter&) override {}
};

std::unique_ptr<StateStore> OpenStore(const cx::testing::TempDir& dir) {
  StoreOptions options;
  options.path = dir.Path("store");
  std::string error;
  std::unique_ptr<StateStore> store = StateStore::Open(options, error);
  EXPECT_NE(store, nullptr) << error;
  return store;
}

void Put(StateStore& store, const std::string& id, std::string_view bytes) {
  StoreBatch batch;
  batch.PutCustomer(id, bytes);
  ASSERT_TRUE(store.Commit(batch).IsOk());
}

TEST(CustomerLookup, StoredStateIsFoundNotFoundOrCorrupt) {
  cx::testing::TempDir dir;
  std::unique_ptr<StateStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  CustomerState state;
  state.last_activity = EventTime::FromMillis(1'800'000'000'000);
  std::string bytes;
  EncodeCustomerState(state, bytes);
  Put(*store, "c-1", bytes);
  Put(*store, "c-bad", "\xff\xff not a state");

  CustomerState found;
  std::string error;
  EXPECT_EQ(ReadStoredCustomer(*store, "c-1", found, error), CustomerLookup::kFound);
  EXPECT_EQ(found.last_activity, state.last_activity);
  EXPECT_EQ(ReadStoredCustomer(*store, "c-2", found, error), CustomerLookup::kNotFound);
  EXPECT_EQ(ReadStoredCustomer(*store, "c-bad", found, error), CustomerLookup::kCorrupt);
}

TEST(CustomerLookup, ALiveShardAnswersFromItsCacheBeforeItsStore) {
  cx::testing::TempDir dir;
  std::unique_ptr<StateStore> store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  CustomerState stored;
  stored.last_activity = EventTime::FromMillis(1000);
  std::string bytes;
  EncodeCustomerState(stored, bytes);
  Put(*store, "c-1", bytes);

  RulesConfig rules;
  NullSink sink;
  Shard shard(0, rules, std::move(store), 100, sink);
  std::string error;
  ASSERT_TRUE(shard.Restore(error)) << error;

  CustomerState found;
  EXPECT_EQ(FindCustomer(shard, "c-1", found, error), CustomerLookup::kFound);
  EXPECT_EQ(found.last_activity, EventTime::FromMillis(1000));
  EXPECT_EQ(FindCustomer(shard, "nobody", found, error), CustomerLookup::kNotFound);

  // A cached change not committed yet is what a live lookup must see.
  CacheLoad load = shard.cache().GetOrLoad("c-1");
  ASSERT_NE(load.state, nullptr);
  load.state->last_activity = EventTime::FromMillis(2000);
  EXPECT_EQ(FindCustomer(shard, "c-1", found, error), CustomerLookup::kFound);
  EXPECT_EQ(found.last_activity, EventTime::FromMillis(2000));
}

}  // namespace
}  // namespace cx
