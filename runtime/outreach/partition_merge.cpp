#include "runtime/outreach/partition_merge.h"

#include <utility>

namespace cx {

void PartitionMerge::Push(LogRecord record) {
  auto i = static_cast<size_t>(record.source);
  at_end_[i] = false;
  logs_[i].push_back(std::move(record));
}

void PartitionMerge::MarkEnd(LogSource source) {
  auto i = static_cast<size_t>(source);
  at_end_[i] = true;
  ended_once_[i] = true;
}

std::optional<LogRecord> PartitionMerge::Next() {
  auto& alerts = logs_[0];
  auto& commands = logs_[1];
  size_t take = 0;
  if (!alerts.empty() && !commands.empty()) {
    take = commands.front().ts < alerts.front().ts ? 1 : 0;
  } else if (!alerts.empty() && at_end_[1]) {
    take = 0;
  } else if (!commands.empty() && at_end_[0]) {
    take = 1;
  } else {
    return std::nullopt;
  }
  LogRecord record = std::move(logs_[take].front());
  logs_[take].pop_front();
  return record;
}

}  // namespace cx
