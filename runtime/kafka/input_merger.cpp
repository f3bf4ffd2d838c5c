#include "runtime/kafka/input_merger.h"

#include <algorithm>

namespace cx {

int InputMerger::Next(std::span<const InputHead> inputs, int64_t implausible_after_ms,
                      MonotonicTime now) {
  int best = kNone;
  int64_t best_ts = 0;
  bool lagging = false;
  bool unanswered = false;
  bool idle = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const InputHead& input = inputs[i];
    if (!input.has_record) {
      lagging = lagging || !input.at_end;
      unanswered = unanswered || !input.answered;
      idle = idle || input.at_end;
      continue;
    }
    int64_t ts = input.timestamp_ms > implausible_after_ms ? -1 : input.timestamp_ms;
    if (best == kNone || ts < best_ts) {
      best = static_cast<int>(i);
      best_ts = ts;
    }
  }
  if (best == kNone) {
    waiting_since_ = {};
    return kNone;
  }
  bool behind = lagging || (idle && waits_.idle.count() > 0);
  if (!behind) {
    waiting_since_ = {};
    return best;
  }
  if (waiting_since_ == MonotonicTime{}) {
    waiting_since_ = now;
  }
  auto limit = unanswered ? std::max(waits_.lagging, waits_.first_fetch)
                          : (lagging ? waits_.lagging : waits_.idle);
  return now - waiting_since_ < limit ? kNone : best;
}

}  // namespace cx
