#include "runtime/kafka/kafka_stats.h"

#include <gtest/gtest.h>

namespace cx {
namespace {

TEST(KafkaStats, ConsumerLagOrStableOffsetMinusConsumed) {
  const char* json = R"({"name":"c","topics":{"cx.clicks":{"topic":"cx.clicks","partitions":{
    "0":{"partition":0,"consumer_lag":12,"ls_offset":100,"app_offset":88},
    "1":{"partition":1,"consumer_lag":-1,"ls_offset":50,"app_offset":40},
    "2":{"partition":2,"consumer_lag":-1,"ls_offset":-1,"app_offset":-1001},
    "-1":{"partition":-1,"consumer_lag":-1}}}}})";
  std::vector<PartitionLag> lags = ParseConsumerLag(json);
  ASSERT_EQ(lags.size(), 2u);
  EXPECT_EQ(lags[0].topic, "cx.clicks");
  EXPECT_EQ(lags[0].partition, 0);
  EXPECT_EQ(lags[0].lag, 12);
  EXPECT_EQ(lags[1].partition, 1);
  EXPECT_EQ(lags[1].lag, 10);
}

// Exactly-once after a rebalance: the committed offset the consumer knows is the one it fetched
// at assignment and never moves; what it handed to the application does.
TEST(KafkaStats, StaleCommittedOffsetDoesNotHideProgress) {
  const char* json = R"({"name":"c","topics":{"cx.clicks":{"topic":"cx.clicks","partitions":{
    "0":{"partition":0,"consumer_lag":900,"ls_offset":1000,"app_offset":1000},
    "1":{"partition":1,"consumer_lag":900,"ls_offset":1000,"app_offset":400}}}}})";
  std::vector<PartitionLag> lags = ParseConsumerLag(json);
  ASSERT_EQ(lags.size(), 2u);
  EXPECT_EQ(lags[0].lag, 0);
  EXPECT_EQ(lags[1].lag, 600);
}

TEST(KafkaStats, FetchQueueBytesPerPartition) {
  const char* json = R"({"name":"c","topics":{"cx.calls":{"topic":"cx.calls","partitions":{
    "0":{"partition":0,"consumer_lag":5,"fetchq_cnt":40,"fetchq_size":8192},
    "1":{"partition":1,"consumer_lag":0}}}}})";
  std::vector<PartitionLag> lags = ParseConsumerLag(json);
  ASSERT_EQ(lags.size(), 2u);
  EXPECT_EQ(lags[0].queued_bytes, 8192);
  EXPECT_EQ(lags[1].queued_bytes, 0) << "absent: nothing queued";
}

TEST(KafkaStats, GarbageGivesNothing) {
  EXPECT_TRUE(ParseConsumerLag("not json").empty());
  EXPECT_TRUE(ParseConsumerLag(R"({"topics":[]})").empty());
}

}  // namespace
}  // namespace cx
