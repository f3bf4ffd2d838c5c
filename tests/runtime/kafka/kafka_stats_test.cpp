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

// A member consumed every record before a rebalance handed the partitions out again: no record
// was handed over since (app_offset unset) and, exactly-once, no committed offset is known. The
// lag is then what is left to fetch plus what is queued; a partition not being fetched (revoked)
// has none. (Seen in bench/live_bench.sh: without this no lag series appeared at all.)
TEST(KafkaStats, CaughtUpPartitionWithNothingHandedOverSinceItsAssignment) {
  const char* json = R"({"name":"c","topics":{"cx.calls":{"topic":"cx.calls","partitions":{
    "0":{"partition":0,"fetch_state":"active","consumer_lag":-1,"ls_offset":21159,
         "app_offset":-1001,"committed_offset":-1001,"next_offset":21159,"fetchq_cnt":0},
    "1":{"partition":1,"fetch_state":"active","consumer_lag":-1,"ls_offset":20485,
         "app_offset":-1001,"committed_offset":-1001,"next_offset":20400,"fetchq_cnt":30},
    "2":{"partition":2,"fetch_state":"stopped","consumer_lag":-1,"ls_offset":22074,
         "app_offset":-1001,"committed_offset":-1001,"next_offset":9000,"fetchq_cnt":0},
    "3":{"partition":3,"fetch_state":"offset-query","consumer_lag":-1,"ls_offset":-1001,
         "app_offset":-1001,"committed_offset":-1001,"next_offset":-1001,"fetchq_cnt":0}}}}})";
  std::vector<PartitionLag> lags = ParseConsumerLag(json);
  ASSERT_EQ(lags.size(), 2u);
  EXPECT_EQ(lags[0].partition, 0);
  EXPECT_EQ(lags[0].lag, 0);
  EXPECT_EQ(lags[1].partition, 1);
  EXPECT_EQ(lags[1].lag, 85 + 30);
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
