#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "schemas/time.h"

namespace cx {

// The two logs the case fold reads (co-partitioned by customer).
enum class LogSource : uint8_t { kAlerts, kOutreach };

// One step of the merged order: the record at `index` of `source`.
struct MergeStep {
  LogSource source = LogSource::kAlerts;
  size_t index = 0;

  bool operator==(const MergeStep&) const = default;
};

// SPEC §7: merges one partition of cx.alerts and cx.outreach by record timestamp, alerts first
// on a tie. Each input is in offset order and keeps it (a record is never moved before an
// earlier record of its own log, even when timestamps go back within a log), so the result is
// the usual two-way merge. Pure: the same inputs always give the same order.
[[nodiscard]] std::vector<MergeStep> MergeByTimestamp(std::span<const EventTime> alerts,
                                                      std::span<const EventTime> commands);

}  // namespace cx
