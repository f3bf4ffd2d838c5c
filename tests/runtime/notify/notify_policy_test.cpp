#include "runtime/notify/notify_policy.h"

#include <gtest/gtest.h>

#include "runtime/notify/https_client.h"

namespace cx {
namespace {

using std::chrono::milliseconds;

TEST(NotifyPolicy, StatusClasses) {
  EXPECT_EQ(ClassifyStatus(200), AttemptOutcome::kDelivered);
  EXPECT_EQ(ClassifyStatus(204), AttemptOutcome::kDelivered);
  for (unsigned retry : {0u, 408u, 429u, 500u, 502u, 503u, 504u}) {
    EXPECT_EQ(ClassifyStatus(retry), AttemptOutcome::kRetry) << retry;
  }
  for (unsigned permanent : {400u, 401u, 403u, 404u, 410u, 413u, 301u}) {
    EXPECT_EQ(ClassifyStatus(permanent), AttemptOutcome::kPermanent) << permanent;
  }
}

TEST(NotifyPolicy, BackoffDoublesUpToTheMaximumWithJitter) {
  const Duration initial = Duration::Seconds(1);
  const Duration max = Duration::Seconds(10);
  EXPECT_EQ(BackoffDelay(1, initial, max, 0.999999), milliseconds(1000));
  EXPECT_EQ(BackoffDelay(2, initial, max, 0.999999), milliseconds(2000));
  EXPECT_EQ(BackoffDelay(3, initial, max, 0.999999), milliseconds(4000));
  EXPECT_EQ(BackoffDelay(5, initial, max, 0.999999), milliseconds(10000));
  EXPECT_EQ(BackoffDelay(500, initial, max, 0.999999), milliseconds(10000));
  EXPECT_EQ(BackoffDelay(1, initial, max, 0.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(3, initial, max, 0.5), milliseconds(3000));
}

TEST(NotifyPolicy, RetryAfterSecondsAndDates) {
  const EventTime now = EventTime::FromMillis(1'445'412'480'000);  // Wed, 21 Oct 2015 07:28:00
  EXPECT_EQ(ParseRetryAfter("120", now), milliseconds(120'000));
  EXPECT_EQ(ParseRetryAfter(" 2 ", now), milliseconds(2'000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), milliseconds(30'000));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), milliseconds(0));
  EXPECT_FALSE(ParseRetryAfter("", now));
  EXPECT_FALSE(ParseRetryAfter("-1", now));
  EXPECT_FALSE(ParseRetryAfter("soon", now));
}

TEST(NotifyPolicy, TokenBucketLimitsTheRate) {
  TokenBucket bucket(10, 2);  // 10/s, burst 2
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_FALSE(bucket.TryTake(0));
  EXPECT_EQ(bucket.NextTokenAt(0), 100);
  EXPECT_FALSE(bucket.TryTake(99));
  EXPECT_TRUE(bucket.TryTake(100));
  int taken = 0;
  for (int64_t t = 100; t <= 1100; ++t) taken += bucket.TryTake(t) ? 1 : 0;
  EXPECT_EQ(taken, 10);
}

TEST(NotifyPolicy, OffsetsCommitUpToTheOldestUnfinished) {
  OffsetTracker tracker;
  for (int64_t o = 10; o < 15; ++o) tracker.Add(0, o);
  tracker.Add(1, 7);
  auto first = tracker.TakeCommits();  // nothing finished: the first unread of each partition
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], (std::pair<int32_t, int64_t>{0, 10}));
  EXPECT_EQ(first[1], (std::pair<int32_t, int64_t>{1, 7}));
  tracker.Done(0, 11);
  tracker.Done(0, 12);
  EXPECT_TRUE(tracker.TakeCommits().empty());  // 10 still unfinished
  tracker.Done(0, 10);
  auto commits = tracker.TakeCommits();
  ASSERT_EQ(commits.size(), 1u);
  EXPECT_EQ(commits[0], (std::pair<int32_t, int64_t>{0, 13}));
  tracker.Done(0, 13);
  tracker.Done(0, 14);
  tracker.Done(1, 7);
  commits = tracker.TakeCommits();
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0], (std::pair<int32_t, int64_t>{0, 15}));
  EXPECT_EQ(commits[1], (std::pair<int32_t, int64_t>{1, 8}));
  EXPECT_EQ(tracker.unfinished(), 0u);
  tracker.Forget(0);
  tracker.Done(0, 99);  // a job of a revoked partition finishing late: ignored
  EXPECT_TRUE(tracker.TakeCommits().empty());
}

TEST(HttpEndpoint, ParsesUrls) {
  HttpEndpoint e;
  ASSERT_TRUE(ParseHttpEndpoint("https://hooks.slack.com/services/T0/B0/x", e));
  EXPECT_TRUE(e.tls);
  EXPECT_EQ(e.host, "hooks.slack.com");
  EXPECT_EQ(e.port, "443");
  EXPECT_EQ(e.target, "/services/T0/B0/x");
  ASSERT_TRUE(ParseHttpEndpoint("http://127.0.0.1:8080?a=1#frag", e));
  EXPECT_FALSE(e.tls);
  EXPECT_EQ(e.port, "8080");
  EXPECT_EQ(e.target, "/?a=1");
  ASSERT_TRUE(ParseHttpEndpoint("http://[::1]:9/x", e));
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.port, "9");
  EXPECT_FALSE(ParseHttpEndpoint("ftp://x/", e));
  EXPECT_FALSE(ParseHttpEndpoint("http://", e));
  EXPECT_FALSE(ParseHttpEndpoint("http://user@host/", e));
  EXPECT_FALSE(ParseHttpEndpoint("http://host:99999999/", e));
}

}  // namespace
}  // namespace cx
