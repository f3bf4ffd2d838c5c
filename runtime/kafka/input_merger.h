#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "runtime/shard/clock.h"

namespace cx {

// The head of one input of a shard, as the merge sees it.
struct InputHead {
  // A record is queued; `timestamp_ms` is the record timestamp of the first one.
  bool has_record = false;
  int64_t timestamp_ms = 0;
  // The partition reported end-of-log and nothing arrived since.
  bool at_end = false;
  // With `at_end`: when it reported that end (the idle wait for this input runs from here).
  MonotonicTime at_end_since{};
  // Anything (a record or end-of-log) came since the assignment.
  bool answered = false;
  // With `has_record`: when the first record was first known to be on the broker (the first
  // look at its partition's high watermark past it, ArrivalTimes), so it may have been produced
  // a moment before; epoch for one that came through the consumer queue right after an
  // assignment (a backlog).
  MonotonicTime arrived{};
};

// How long the merge waits for an input that has nothing queued (kafka.max_merge_wait,
// kafka.idle_input_wait, and the first-fetch wait after an assignment).
struct MergeWaits {
  std::chrono::milliseconds lagging{2000};
  std::chrono::milliseconds idle{0};
  std::chrono::milliseconds first_fetch{10000};
};

// The merge policy of one shard's input topics, pure: it decides which input's first record
// goes next, in record-timestamp order, and how long to wait for an input that has nothing
// queued so that a topic read ahead cannot overtake the others. It reads no clock: monotonic
// time comes in as a value. A record stamped after `implausible_after_ms` (a dead letter to be)
// sorts first, so it does not hold back the other inputs. Not thread-safe; one per shard.
class InputMerger {
 public:
  static constexpr int kNone = -1;

  explicit InputMerger(MergeWaits waits) : waits_(waits) {}

  // The index of the input whose first record is next, or kNone when nothing is queued or the
  // merge waits for an input that is behind: one that has not reached its end (at most
  // `waits.lagging`, or `waits.first_fetch` before its first answer, each input measured from
  // the first call that found it lagging while a record was queued elsewhere, so in a long
  // catch-up where the inputs run dry in turn each one is still waited for), or with `waits.idle` >
  // 0 one that has: until `waits.idle` after the latest of that input's own `at_end_since`, the
  // first call (since nothing was queued) that had a record queued and the `arrived` of the record
  // that would pass it, so an input that reaches its end while another one's wait has long expired
  // is still waited for, and so is one that reached it long before the records now queued arrived,
  // also when records stayed queued meanwhile (a stall of the brokers or producers: records fetched
  // before it waited out the idle wait, and the burst fetched after it must not pass an input whose
  // records of the same burst come a moment later).
  [[nodiscard]] int Next(std::span<const InputHead> inputs, int64_t implausible_after_ms,
                         MonotonicTime now);
  // The last Next() returned a record although an input that has not reached its end had
  // nothing queued (its `waits.lagging` / `waits.first_fetch` wait had expired): the strict
  // merge gave way, and the record may go ahead of earlier ones of that input, unlike in a
  // replay (cxpulse_merge_overtakes_total).
  [[nodiscard]] bool overtook() const { return overtook_; }

  // Forgets a wait in progress (after an assignment or a rewind).
  void Reset() {
    waiting_since_ = {};
    records_queued_since_ = {};
  }

  // The most inputs Next() takes.
  static constexpr size_t kMaxInputs = 8;

 private:
  MergeWaits waits_;
  // Per input: since when the merge has been waiting for it while it lags (epoch = not).
  std::array<MonotonicTime, kMaxInputs> waiting_since_{};
  // Since when some input has had a record queued (epoch = nothing queued at the last call).
  MonotonicTime records_queued_since_{};
  bool overtook_ = false;
};

}  // namespace cx
