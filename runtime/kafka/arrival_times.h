#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>

#include "runtime/shard/clock.h"

namespace cx {

// When each record of one partition first became known to exist on the broker: the time of the
// first observation of the partition's high watermark (the consumer's cached end offset, which
// every fetch response updates) past the record's offset. The strict merge waits for an input
// at its end from there (InputHead::arrived): a record produced a moment ago must not pass an
// input whose records of the same moment come one fetch later, however deep in a fetched batch
// it sits (a burst after a broker restart), while a backlog that was on the broker before the
// input ran dry does not wait again. Pure: the watermark and the time come in as values.
class ArrivalTimes {
 public:
  // The most observations kept; further ones are dropped, so the records they would date get
  // the later time of their pull instead (a longer wait, never a shorter one).
  static constexpr size_t kMaxObservations = 4096;

  // The partition's high watermark as of `now`; negative (unknown) is ignored.
  void Observe(int64_t high, MonotonicTime now);
  // When the record at `offset` was first known: the time of the first observation whose high
  // watermark was past it, or `now` when none was. Offsets are asked in increasing order: the
  // observations that date only earlier offsets are dropped.
  [[nodiscard]] MonotonicTime KnownSince(int64_t offset, MonotonicTime now);

 private:
  // (high watermark, first seen), the watermarks increasing.
  std::deque<std::pair<int64_t, MonotonicTime>> seen_;
};

}  // namespace cx
