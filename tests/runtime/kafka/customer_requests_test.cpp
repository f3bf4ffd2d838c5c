// /customers/{id} lookups asked from other threads (the HTTP server's), answered on the
// processing thread that owns the shards (runtime/kafka/customer_requests.h).
#include "runtime/kafka/customer_requests.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runtime/shard/emission_sink.h"
#include "state/customer_state_codec.h"
#include "state/store/store_batch.h"
#include "tests/common/shard_test_support.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

using cx::testing::NullSink;

// Two threads ask while the processing thread serves: every lookup is answered exactly once,
// on the serving thread, from the shard that owns the customer (found or not found) or as not
// owned. Under ThreadSanitizer (tools/sanitize.sh thread) this is the queue's race check.
TEST(CustomerRequests, LookupsFromOtherThreadsAreAnsweredOnceOnTheServingThread) {
  cx::testing::TempDir dir;
  StoreOptions options;
  options.path = dir.Path("store");
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.error().message();
  CustomerState stored;
  stored.last_activity = EventTime::FromMillis(1000);
  std::string bytes;
  EncodeCustomerState(stored, bytes);
  StoreBatch batch;
  batch.PutCustomer("c-known", bytes);
  ASSERT_TRUE((*store)->Commit(batch).IsOk());
  RulesConfig rules;
  NullSink sink;
  Shard shard(0, rules, std::move(store).value(), 100, sink);
  ASSERT_TRUE(shard.Restore().ok());
  // Customers "c-…" live in the shard; "x-…" are another instance's.
  const CustomerRequests::ShardOf shard_of = [&shard](const std::string& id) {
    return id.starts_with("c-") ? &shard : nullptr;
  };

  CustomerRequests requests;
  constexpr int kPerThread = 300;
  std::atomic<int> answered{0};
  std::mutex mutex;
  std::vector<std::string> found;
  int not_found = 0;
  int not_owned = 0;
  const std::thread::id server = std::this_thread::get_id();
  auto ask = [&](int who) {
    for (int i = 0; i < kPerThread; ++i) {
      const std::string id = i % 3 == 0 ? "c-known" : (i % 3 == 1 ? "c-unknown" : "x-other");
      requests.Add(id, [&, who](CustomerAnswer answer) {
        EXPECT_EQ(std::this_thread::get_id(), server);
        std::lock_guard<std::mutex> lock(mutex);
        if (answer.kind == CustomerAnswer::Kind::kFound) {
          found.push_back(std::to_string(who) + answer.json.substr(0, 30));
        } else if (answer.kind == CustomerAnswer::Kind::kNotFound) {
          ++not_found;
        } else {
          ++not_owned;
        }
        ++answered;
      });
    }
  };
  std::thread a(ask, 1);
  std::thread b(ask, 2);
  while (answered.load() < 2 * kPerThread) {
    requests.Serve(shard_of, rules);
    std::this_thread::yield();
  }
  a.join();
  b.join();
  requests.Serve(shard_of, rules);  // nothing left over
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_EQ(answered.load(), 2 * kPerThread);
  EXPECT_EQ(found.size(), 2U * kPerThread / 3);
  EXPECT_EQ(not_found, 2 * kPerThread / 3);
  EXPECT_EQ(not_owned, 2 * kPerThread / 3);
  for (const std::string& json : found) {
    EXPECT_NE(json.find("c-known"), std::string::npos) << json;
  }
}

}  // namespace
}  // namespace cx
