#include "runtime/outreach/partition_merge.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace cx {
namespace {

LogRecord Record(LogSource source, int64_t ts, int64_t offset) {
  return {source, EventTime::FromMillis(ts), offset, "k", "v"};
}

TEST(PartitionMergeTest, WaitsForTheOtherLogUntilItsEnd) {
  PartitionMerge merge;
  merge.Push(Record(LogSource::kAlerts, 10, 0));
  EXPECT_FALSE(merge.Next());  // the commands log may still hold an earlier record
  merge.MarkEnd(LogSource::kOutreach);
  auto next = merge.Next();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->offset, 0);
  EXPECT_FALSE(merge.ReachedEndOnce());
  merge.MarkEnd(LogSource::kAlerts);
  EXPECT_TRUE(merge.ReachedEndOnce());
  merge.Push(Record(LogSource::kOutreach, 5, 0));  // clears the commands log's end mark
  ASSERT_TRUE(merge.Next());                       // alerts are at their end
  merge.Push(Record(LogSource::kAlerts, 20, 1));
  EXPECT_FALSE(merge.Next());
}

TEST(PartitionMergeTest, AlertsFirstOnATie) {
  PartitionMerge merge;
  merge.Push(Record(LogSource::kOutreach, 7, 0));
  merge.Push(Record(LogSource::kAlerts, 7, 0));
  EXPECT_EQ(merge.Next()->source, LogSource::kAlerts);
}

TEST(PartitionMergeTest, FullyBufferedOrderEqualsMergeByTimestamp) {
  std::mt19937 random(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<EventTime> alerts;
    std::vector<EventTime> commands;
    PartitionMerge merge;
    for (int i = 0; i < 40; ++i) {
      bool command = random() % 2 == 0;
      auto ts = static_cast<int64_t>(random() % 30);
      auto& log = command ? commands : alerts;
      merge.Push(Record(command ? LogSource::kOutreach : LogSource::kAlerts, ts,
                        static_cast<int64_t>(log.size())));
      log.push_back(EventTime::FromMillis(ts));
    }
    merge.MarkEnd(LogSource::kAlerts);
    merge.MarkEnd(LogSource::kOutreach);
    std::vector<MergeStep> expected = MergeByTimestamp(alerts, commands);
    for (const MergeStep& step : expected) {
      auto next = merge.Next();
      ASSERT_TRUE(next);
      EXPECT_EQ(next->source, step.source);
      EXPECT_EQ(next->offset, static_cast<int64_t>(step.index));
    }
    EXPECT_FALSE(merge.Next());
  }
}

}  // namespace
}  // namespace cx
