#include "runtime/kafka/arrival_times.h"

#include <gtest/gtest.h>

namespace cx {
namespace {

MonotonicTime At(int64_t ms) { return MonotonicTime(std::chrono::milliseconds(ms)); }

// A backlog on the broker at the first look is dated by that look, every record of it alike.
TEST(ArrivalTimes, ABacklogIsDatedByTheFirstLookThatSawIt) {
  ArrivalTimes arrivals;
  arrivals.Observe(1000, At(5));
  arrivals.Observe(1000, At(9));  // no new record: the first look stays
  EXPECT_EQ(arrivals.KnownSince(0, At(50)), At(5));
  EXPECT_EQ(arrivals.KnownSince(999, At(50)), At(5));
}

// A burst after a stall (e.g. a broker restart) is dated by the look after the stall, also for
// the records pulled first out of a batch that does not reach the end: those must not count as
// an old backlog (that let them pass an input whose records of the same burst come one fetch
// later).
TEST(ArrivalTimes, ABurstIsDatedByTheLookThatFirstSawItWhereverItIsPulled) {
  ArrivalTimes arrivals;
  arrivals.Observe(100, At(0));
  EXPECT_EQ(arrivals.KnownSince(99, At(10)), At(0));
  arrivals.Observe(5100, At(60'000));
  arrivals.Observe(5200, At(60'100));
  EXPECT_EQ(arrivals.KnownSince(100, At(60'200)), At(60'000));
  EXPECT_EQ(arrivals.KnownSince(1099, At(60'300)), At(60'000));
  EXPECT_EQ(arrivals.KnownSince(5099, At(60'400)), At(60'000));
  EXPECT_EQ(arrivals.KnownSince(5100, At(60'500)), At(60'100));
}

// A record no look has seen yet (pulled right after the fetch that brought it) is dated now, and
// so is everything past an unknown watermark.
TEST(ArrivalTimes, ARecordNoLookSawIsDatedNow) {
  ArrivalTimes arrivals;
  arrivals.Observe(-1, At(1));
  EXPECT_EQ(arrivals.KnownSince(0, At(7)), At(7));
  arrivals.Observe(10, At(8));
  EXPECT_EQ(arrivals.KnownSince(10, At(9)), At(9));
}

// Past kMaxObservations the new looks are dropped: the records only they would date get the
// later time of their pull, never an earlier one.
TEST(ArrivalTimes, TooManyLooksDateTheRestLaterNeverEarlier) {
  ArrivalTimes arrivals;
  for (int64_t i = 0; i < static_cast<int64_t>(ArrivalTimes::kMaxObservations); ++i) {
    arrivals.Observe(i + 1, At(i));
  }
  arrivals.Observe(1'000'000, At(999'999));
  const auto n = static_cast<int64_t>(ArrivalTimes::kMaxObservations);
  EXPECT_EQ(arrivals.KnownSince(n - 1, At(2'000'000)), At(n - 1));
  EXPECT_EQ(arrivals.KnownSince(n, At(2'000'000)), At(2'000'000));
}

}  // namespace
}  // namespace cx
