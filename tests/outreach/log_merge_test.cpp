#include "outreach/log_merge.h"

#include <gtest/gtest.h>

namespace cx {
namespace {

EventTime T(int64_t ms) { return EventTime::FromMillis(ms); }

TEST(LogMergeTest, ByTimestampAlertsFirstOnATie) {
  const std::vector<EventTime> alerts = {T(1), T(5), T(5)};
  const std::vector<EventTime> commands = {T(0), T(5), T(6)};
  const std::vector<MergeStep> want = {{LogSource::kOutreach, 0}, {LogSource::kAlerts, 0},
                                       {LogSource::kAlerts, 1},   {LogSource::kAlerts, 2},
                                       {LogSource::kOutreach, 1}, {LogSource::kOutreach, 2}};
  EXPECT_EQ(MergeByTimestamp(alerts, commands), want);
}

TEST(LogMergeTest, KeepsEachLogsOwnOrderWhenItsTimestampsGoBack) {
  const std::vector<EventTime> alerts = {T(10), T(2)};
  const std::vector<EventTime> commands = {T(5)};
  const std::vector<MergeStep> want = {
      {LogSource::kOutreach, 0}, {LogSource::kAlerts, 0}, {LogSource::kAlerts, 1}};
  EXPECT_EQ(MergeByTimestamp(alerts, commands), want);
  EXPECT_TRUE(MergeByTimestamp({}, {}).empty());
}

}  // namespace
}  // namespace cx
