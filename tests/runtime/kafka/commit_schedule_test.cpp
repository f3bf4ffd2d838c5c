// When the live processor commits (runtime/kafka/commit_schedule.h): every interval, and
// earlier for an alert once caught up.
#include "runtime/kafka/commit_schedule.h"

#include <gtest/gtest.h>

namespace cx {
namespace {

MonotonicTime At(int ms) { return MonotonicTime(std::chrono::milliseconds(ms)); }

TEST(CommitSchedule, ACommitIsDueEveryInterval) {
  CommitSchedule schedule(Duration::Millis(100), Duration::Millis(20));
  EXPECT_FALSE(schedule.Due(At(1099), At(1000), false, std::nullopt));
  EXPECT_TRUE(schedule.Due(At(1100), At(1000), false, std::nullopt));
  EXPECT_TRUE(schedule.Due(At(1100), At(1000), true, At(1099)));
}

TEST(CommitSchedule, CaughtUpAnAlertCommitsOnceItWaitedAlertWait) {
  CommitSchedule schedule(Duration::Millis(100), Duration::Millis(20));
  EXPECT_FALSE(schedule.Due(At(1030), At(1000), true, std::nullopt));
  EXPECT_FALSE(schedule.Due(At(1030), At(1000), true, At(1011)));
  EXPECT_TRUE(schedule.Due(At(1030), At(1000), true, At(1010)));
}

TEST(CommitSchedule, ABacklogKeepsTheIntervalsBatches) {
  CommitSchedule schedule(Duration::Millis(100), Duration::Millis(20));
  EXPECT_FALSE(schedule.Due(At(1090), At(1000), false, At(1001)));
}

TEST(CommitSchedule, AlertWaitZeroAndAtLeastOnceCommitOnlyEveryInterval) {
  CommitSchedule off(Duration::Millis(100), Duration::Millis(0));
  EXPECT_FALSE(off.Due(At(1090), At(1000), true, At(1001)));
  KafkaConfig kafka;
  kafka.processing = ProcessingGuarantee::kAtLeastOnce;
  EXPECT_FALSE(CommitSchedule::For(kafka).Due(At(1090), At(1000), true, At(1001)));
  kafka.processing = ProcessingGuarantee::kExactlyOnce;
  EXPECT_TRUE(CommitSchedule::For(kafka).Due(At(1090), At(1000), true, At(1001)));
}

}  // namespace
}  // namespace cx
