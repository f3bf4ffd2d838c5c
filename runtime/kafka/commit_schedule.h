#pragma once

#include <chrono>
#include <optional>

#include "runtime/config/kafka_config.h"
#include "runtime/shard/clock.h"

namespace cx {

// When the live processor starts its next commit (a transaction, or at least once an offset
// commit). Pure: every time is passed in. A commit is due `interval` after the last one
// started; with `alert_wait` > 0 also earlier, when the processor has caught up (its last turn
// found no input record to process) and the oldest alert not yet in a commit was consumed at
// least `alert_wait` ago: a caught-up processor then makes its alerts readable within about
// alert_wait + one commit, while a backlog keeps the interval's larger batches.
class CommitSchedule {
 public:
  CommitSchedule(Duration interval, Duration alert_wait)
      : interval_(interval.ms), alert_wait_(alert_wait.ms) {}

  // The schedule of `kafka`: alert_wait only with exactly-once (at least once, an alert is
  // readable as soon as it is produced, so committing early gains nothing).
  static CommitSchedule For(const KafkaConfig& kafka) {
    return CommitSchedule(kafka.commit_interval,
                          kafka.processing == ProcessingGuarantee::kExactlyOnce
                              ? kafka.alert_commit_wait
                              : Duration::Millis(0));
  }

  [[nodiscard]] bool Due(MonotonicTime now, MonotonicTime last_commit, bool caught_up,
                         std::optional<MonotonicTime> oldest_alert) const {
    if (now - last_commit >= interval_) {
      return true;
    }
    return alert_wait_.count() > 0 && caught_up && oldest_alert.has_value() &&
           now - *oldest_alert >= alert_wait_;
  }

 private:
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds alert_wait_;
};

}  // namespace cx
