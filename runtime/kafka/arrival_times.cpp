#include "runtime/kafka/arrival_times.h"

namespace cx {

void ArrivalTimes::Observe(int64_t high, MonotonicTime now) {
  if (high < 0 || (!seen_.empty() && high <= seen_.back().first)) return;
  if (seen_.size() >= kMaxObservations) return;
  seen_.emplace_back(high, now);
}

MonotonicTime ArrivalTimes::KnownSince(int64_t offset, MonotonicTime now) {
  while (!seen_.empty() && seen_.front().first <= offset) seen_.pop_front();
  return seen_.empty() ? now : seen_.front().second;
}

}  // namespace cx
