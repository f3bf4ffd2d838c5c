#include "state/store/store_batch.h"

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <vector>

#include "state/store/timer_key.h"

namespace cx {
namespace {

using Op = std::tuple<StoreOp, std::string, std::string>;

std::vector<Op> Ops(const StoreBatch& batch) {
  std::vector<Op> ops;
  batch.ForEach([&](StoreOp op, std::string_view key, std::string_view value) {
    ops.emplace_back(op, std::string(key), std::string(value));
  });
  return ops;
}

std::string TimerKey(int64_t ms, std::string_view id) {
  std::string key;
  EncodeTimerKey(EventTime::FromMillis(ms), id, key);
  return key;
}

TEST(TimerKeyTest, RoundTripsDeadlineAndCustomer) {
  for (const int64_t ms : {INT64_MIN / 2, int64_t{-86'400'000}, int64_t{-1}, int64_t{0}, int64_t{1},
                           int64_t{1'790'000'000'000}, INT64_MAX / 2}) {
    const std::string key = TimerKey(ms, "c-42");
    EXPECT_EQ(key.size(), kTimerDeadlineBytes + 4);
    EventTime deadline;
    std::string_view id;
    ASSERT_TRUE(DecodeTimerKey(key, deadline, id));
    EXPECT_EQ(deadline.ms, ms);
    EXPECT_EQ(id, "c-42");
  }
}

TEST(TimerKeyTest, ByteOrderIsDeadlineOrderAcrossTheEpoch) {
  const std::vector<int64_t> deadlines = {INT64_MIN / 2, -1'000'000,       -256, -1, 0, 1, 255,
                                          256,           1'790'000'000'000};
  for (size_t i = 1; i < deadlines.size(); ++i) {
    EXPECT_LT(TimerKey(deadlines[i - 1], "z"), TimerKey(deadlines[i], "a"))
        << deadlines[i - 1] << " vs " << deadlines[i];
  }
  EXPECT_LT(TimerKey(7, "a"), TimerKey(7, "b"));
}

TEST(TimerKeyTest, RejectsShortKeys) {
  EventTime deadline;
  std::string_view id;
  EXPECT_FALSE(DecodeTimerKey("1234567", deadline, id));
  ASSERT_TRUE(DecodeTimerKey(TimerKey(5, ""), deadline, id));
  EXPECT_EQ(id, "");
}

TEST(StoreBatchTest, KeepsWritesInOrderWithBinarySafeValues) {
  StoreBatch batch;
  EXPECT_TRUE(batch.Empty());
  const std::string binary("\0\x01\xff\0", 4);
  batch.PutCustomer("c-1", binary);
  batch.DeleteCustomer("c-2");
  batch.PutTimer(EventTime::FromMillis(-5), "c-1");
  batch.DeleteTimer(EventTime::FromMillis(9), "c-3");
  batch.PutMeta("shard.0.watermark", "123");
  batch.DeleteMeta("old");
  EXPECT_EQ(batch.Count(), 6u);
  const std::vector<Op> expected = {
      {StoreOp::kPutCustomer, "c-1", binary},
      {StoreOp::kDeleteCustomer, "c-2", ""},
      {StoreOp::kPutTimer, TimerKey(-5, "c-1"), ""},
      {StoreOp::kDeleteTimer, TimerKey(9, "c-3"), ""},
      {StoreOp::kPutMeta, "shard.0.watermark", "123"},
      {StoreOp::kDeleteMeta, "old", ""},
  };
  EXPECT_EQ(Ops(batch), expected);
}

TEST(StoreBatchTest, ClearForgetsWrites) {
  StoreBatch batch;
  batch.PutMeta("k", "v");
  EXPECT_GT(batch.ByteSize(), 0u);
  batch.Clear();
  EXPECT_TRUE(batch.Empty());
  EXPECT_EQ(batch.ByteSize(), 0u);
  EXPECT_TRUE(Ops(batch).empty());
  batch.PutMeta("k2", "v2");
  EXPECT_EQ(Ops(batch), (std::vector<Op>{{StoreOp::kPutMeta, "k2", "v2"}}));
}

}  // namespace
}  // namespace cx
