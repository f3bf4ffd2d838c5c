#include "runtime/kafka/input_merger.h"

#include <algorithm>

namespace cx {

int InputMerger::Next(std::span<const InputHead> inputs, int64_t implausible_after_ms,
                      MonotonicTime now) {
  int best = kNone;
  int64_t best_ts = 0;
  bool any_record = false;
  for (const InputHead& input : inputs) any_record = any_record || input.has_record;
  // The idle wait of an input runs from the later of its own end-of-log and the moment the merge
  // first had a record to pass it with: an input that reached its end long ago (e.g. before the
  // process was paused, or while nothing else was queued) is still waited for once records
  // arrive elsewhere, and one that has just run dry is waited for even while another input's
  // wait has long expired. A record taken at its partition's live edge waits from its own
  // arrival too: records queued through a stall do not let a burst after it pass.
  if (!any_record) {
    records_queued_since_ = {};
  } else if (records_queued_since_ == MonotonicTime{}) {
    records_queued_since_ = now;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const InputHead& input = inputs[i];
    if (!input.has_record) continue;
    int64_t ts = input.timestamp_ms > implausible_after_ms ? -1 : input.timestamp_ms;
    if (best == kNone || ts < best_ts) {
      best = static_cast<int>(i);
      best_ts = ts;
    }
  }
  bool idle_wait = false;
  if (best != kNone) {
    const MonotonicTime queued_from =
        std::max(records_queued_since_, inputs[static_cast<size_t>(best)].arrived);
    for (const InputHead& input : inputs) {
      const MonotonicTime idle_from = std::max(input.at_end_since, queued_from);
      idle_wait = idle_wait || (!input.has_record && input.at_end && now - idle_from < waits_.idle);
    }
  }
  // Each lagging input is waited for from the first call that found it lagging with a record
  // to pass it: a shared timer would expire in a long catch-up where some input is always
  // momentarily dry, and every later lag would then go unwaited.
  bool lag_wait = false;
  bool lagging = false;
  for (size_t i = 0; i < inputs.size() && i < kMaxInputs; ++i) {
    const InputHead& input = inputs[i];
    if (best == kNone || input.has_record || input.at_end) {
      waiting_since_[i] = {};
      continue;
    }
    if (waiting_since_[i] == MonotonicTime{}) {
      waiting_since_[i] = now;
    }
    lagging = true;
    auto limit = input.answered ? waits_.lagging : std::max(waits_.lagging, waits_.first_fetch);
    lag_wait = lag_wait || now - waiting_since_[i] < limit;
  }
  overtook_ = false;
  if (best == kNone || lag_wait || idle_wait) {
    return kNone;
  }
  overtook_ = lagging;
  return best;
}

}  // namespace cx
