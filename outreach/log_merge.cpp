#include "outreach/log_merge.h"

namespace cx {

std::vector<MergeStep> MergeByTimestamp(std::span<const EventTime> alerts,
                                        std::span<const EventTime> commands) {
  std::vector<MergeStep> merged;
  merged.reserve(alerts.size() + commands.size());
  size_t a = 0;
  size_t c = 0;
  while (a < alerts.size() || c < commands.size()) {
    if (c == commands.size() || (a < alerts.size() && alerts[a] <= commands[c])) {
      merged.push_back({LogSource::kAlerts, a++});
    } else {
      merged.push_back({LogSource::kOutreach, c++});
    }
  }
  return merged;
}

}  // namespace cx
