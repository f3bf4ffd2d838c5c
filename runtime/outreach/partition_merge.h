#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "outreach/log_merge.h"
#include "schemas/time.h"

namespace cx {

// One record of cx.alerts or cx.outreach as read from Kafka.
struct LogRecord {
  LogSource source = LogSource::kAlerts;
  EventTime ts;  // the Kafka record timestamp
  int64_t offset = 0;
  std::string key;
  std::string value;
};

// The live form of MergeByTimestamp for one partition: records arrive per log in offset order;
// Next() releases the next one in fold order (lower timestamp first, alerts first on a tie)
// once it is known: both logs have a record buffered, or the log without one has reached its
// end (nothing more in Kafka when last asked; Kafka Streams' max.task.idle.ms = 0). When every
// record is buffered before the first Next(), the order equals MergeByTimestamp's (tested).
// Pure; not thread-safe.
class PartitionMerge {
 public:
  // Buffers a record and clears its log's end mark.
  void Push(LogRecord record);
  // Marks `source` as read up to its end (until the next Push of that log).
  void MarkEnd(LogSource source);
  // The next record in fold order, or nullopt while the order is not yet known.
  [[nodiscard]] std::optional<LogRecord> Next();
  // True once both logs reached their end at least once.
  [[nodiscard]] bool ReachedEndOnce() const { return ended_once_[0] && ended_once_[1]; }
  [[nodiscard]] size_t buffered() const { return logs_[0].size() + logs_[1].size(); }

 private:
  // std::array, not C arrays: clang-tidy 14 flags the index variable (`__i0`) that clang gives
  // the implicit copy of a C array member as a reserved identifier.
  std::array<std::deque<LogRecord>, 2> logs_;
  std::array<bool, 2> at_end_{};
  std::array<bool, 2> ended_once_{};
};

}  // namespace cx
