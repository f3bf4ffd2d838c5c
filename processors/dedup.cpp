#include "processors/dedup.h"

#include <algorithm>

#include "processors/stable_hash.h"

namespace cx {

bool CheckAndRecordEventId(const RulesConfig& config, CustomerState& state,
                           std::string_view event_id, EventTime ts) {
  const uint64_t id_hash = Fnv1a64(event_id);
  std::vector<SeenEvent>& seen = state.seen;
  for (const SeenEvent& s : seen) {
    if (s.id_hash == id_hash) return true;
  }
  const EventTime newest = std::max(ts, state.last_activity);
  const EventTime horizon = newest - config.dedup_window;
  if (ts < horizon) return false;
  auto pos = seen.end();
  if (!seen.empty() && ts < seen.back().ts) {
    pos = std::upper_bound(seen.begin(), seen.end(), ts,
                           [](EventTime t, const SeenEvent& s) { return t < s.ts; });
  }
  seen.insert(pos, SeenEvent{id_hash, ts});
  size_t drop = 0;
  while (drop < seen.size() && seen[drop].ts < horizon) ++drop;
  const size_t cap = static_cast<size_t>(std::max(config.dedup_max_events, 1));
  if (seen.size() - drop > cap) drop = seen.size() - (cap - cap / 8);
  if (drop > 0) seen.erase(seen.begin(), seen.begin() + static_cast<std::ptrdiff_t>(drop));
  return false;
}

}  // namespace cx
