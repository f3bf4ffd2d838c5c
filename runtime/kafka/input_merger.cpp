#include "runtime/kafka/input_merger.h"

#include <algorithm>

namespace cx {

int InputMerger::Next(std::span<const InputHead> inputs, int64_t implausible_after_ms,
                      MonotonicTime now) {
  int best = kNone;
  int64_t best_ts = 0;
  bool lagging = false;
  bool unanswered = false;
  bool idle_wait = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const InputHead& input = inputs[i];
    if (!input.has_record) {
      lagging = lagging || !input.at_end;
      unanswered = unanswered || !input.answered;
      idle_wait = idle_wait || (input.at_end && now - input.at_end_since < waits_.idle);
      continue;
    }
    int64_t ts = input.timestamp_ms > implausible_after_ms ? -1 : input.timestamp_ms;
    if (best == kNone || ts < best_ts) {
      best = static_cast<int>(i);
      best_ts = ts;
    }
  }
  if (best == kNone || !lagging) {
    waiting_since_ = {};
  }
  if (best == kNone) {
    return kNone;
  }
  if (lagging) {
    if (waiting_since_ == MonotonicTime{}) {
      waiting_since_ = now;
    }
    auto limit = unanswered ? std::max(waits_.lagging, waits_.first_fetch) : waits_.lagging;
    if (now - waiting_since_ < limit) {
      return kNone;
    }
  }
  return idle_wait ? kNone : best;
}

}  // namespace cx
