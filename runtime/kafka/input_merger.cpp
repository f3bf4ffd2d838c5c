#include "runtime/kafka/input_merger.h"

#include <algorithm>

namespace cx {

int InputMerger::Next(std::span<const InputHead> inputs, int64_t implausible_after_ms,
                      MonotonicTime now) {
  if (lagging_since_.size() != inputs.size()) {
    lagging_since_.assign(inputs.size(), MonotonicTime{});
  }
  bool any_record = false;
  for (const InputHead& input : inputs) any_record = any_record || input.has_record;
  // Every wait runs per input, from the later of that input's own moment (its end-of-log, or the
  // first call that found it fetching with nothing queued) and the moment the merge first had a
  // record to pass it with: an input that ran dry long ago (e.g. before the process was paused,
  // or while nothing else was queued) is still waited for once records arrive elsewhere, and one
  // that has just run dry is waited for even while another input's wait has long expired.
  if (!any_record) {
    records_queued_since_ = {};
  } else if (records_queued_since_ == MonotonicTime{}) {
    records_queued_since_ = now;
  }
  int best = kNone;
  int64_t best_ts = 0;
  bool wait = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const InputHead& input = inputs[i];
    MonotonicTime& lagging_since = lagging_since_[i];
    if (input.has_record || input.at_end) {
      lagging_since = {};
    } else if (lagging_since == MonotonicTime{}) {
      lagging_since = now;
    }
    if (!input.has_record) {
      const MonotonicTime own = input.at_end ? input.at_end_since : lagging_since;
      const MonotonicTime from = std::max(own, records_queued_since_);
      wait = wait || now - from < WaitFor(input);
      continue;
    }
    int64_t ts = input.timestamp_ms > implausible_after_ms ? -1 : input.timestamp_ms;
    if (best == kNone || ts < best_ts) {
      best = static_cast<int>(i);
      best_ts = ts;
    }
  }
  return wait ? kNone : best;
}

std::chrono::milliseconds InputMerger::WaitFor(const InputHead& input) const {
  if (input.at_end) return waits_.idle;
  return input.answered ? waits_.lagging : std::max(waits_.lagging, waits_.first_fetch);
}

}  // namespace cx
