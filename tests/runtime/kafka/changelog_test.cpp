// A shard's restore from its changelog (runtime/kafka/changelog.h) when the brokers are away.
#include "runtime/kafka/changelog.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "runtime/config/kafka_config.h"
#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_clients.h"
#include "tests/common/temp_dir.h"

namespace cx {
namespace {

TEST(ChangelogRestore, UnreachableBrokersAreWaitedForNotFailures) {
  EXPECT_TRUE(IsBrokerUnreachable(RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS));
  EXPECT_TRUE(IsBrokerUnreachable(RD_KAFKA_RESP_ERR__TIMED_OUT));
  EXPECT_TRUE(IsBrokerUnreachable(RD_KAFKA_RESP_ERR__TRANSPORT));
  EXPECT_TRUE(IsBrokerUnreachable(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN));
  EXPECT_TRUE(IsBrokerUnreachable(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT));
  EXPECT_FALSE(IsBrokerUnreachable(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED));
  EXPECT_FALSE(IsBrokerUnreachable(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART));
  EXPECT_FALSE(IsBrokerUnreachable(RD_KAFKA_RESP_ERR_NO_ERROR));
}

// A restore that starts while no broker answers (a rebalance around a broker restart) keeps
// waiting past one attempt's timeout (2 s) instead of failing the process, and ends promptly
// with "stopped during restore" once asked to stop.
TEST(ChangelogRestore, WithoutBrokersARestoreWaitsUntilStopped) {
  KafkaConfig kafka;
  kafka.bootstrap_servers = "127.0.0.1:1";
  KafkaProperties base = RestoreConsumerProperties(kafka);
  Result<KafkaHandle> consumer =
      CreateKafkaClient(RD_KAFKA_CONSUMER, "the restore consumer", {&base}, {});
  ASSERT_TRUE(consumer.ok()) << consumer.error().message();
  cx::testing::TempDir dir;
  StoreOptions options;
  options.path = dir.Path("store");
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.error().message();

  RestoreProgress progress;
  std::atomic<bool> stop{false};
  std::future<Result<void>> restored = std::async(std::launch::async, [&] {
    return RestoreFromChangelog(consumer->get(), "cl", 0, **store, progress, stop);
  });
  if (restored.wait_for(std::chrono::seconds(5)) == std::future_status::ready) {
    Result<void> early = restored.get();
    FAIL() << "the restore ended while the brokers were away: "
           << (early.ok() ? std::string("ok") : early.error().message());
  }
  stop.store(true);
  ASSERT_EQ(restored.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  Result<void> result = restored.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message(), "stopped during restore");
}

}  // namespace
}  // namespace cx
