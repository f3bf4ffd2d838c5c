#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

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
  // merge waits for an input that is behind. Each input with nothing queued is waited for on its
  // own: one still fetching (not at its end) at most `waits.lagging` (`waits.first_fetch` if
  // longer, before its first answer since the assignment), measured from the first call that
  // found it so; with `waits.idle` > 0 one at its end until `waits.idle` after its own
  // `at_end_since`. Either wait starts no earlier than the first call (since nothing was queued)
  // that had a record queued. So an input that runs dry, or reaches its end, while another
  // input's wait has long expired is still waited for, and so is one that ran dry, or reached its
  // end, long before the records now queued arrived.
  [[nodiscard]] int Next(std::span<const InputHead> inputs, int64_t implausible_after_ms,
                         MonotonicTime now);

  // Forgets the waits in progress (after an assignment or a rewind).
  void Reset() {
    lagging_since_.clear();
    records_queued_since_ = {};
  }

 private:
  // The longest wait for `input`, which has nothing queued.
  [[nodiscard]] std::chrono::milliseconds WaitFor(const InputHead& input) const;

  MergeWaits waits_;
  // Per input: since when it has been fetching with nothing queued (epoch = it is not).
  std::vector<MonotonicTime> lagging_since_;
  // Since when some input has had a record queued (epoch = nothing queued at the last call).
  MonotonicTime records_queued_since_{};
};

}  // namespace cx
