#pragma once

#include <atomic>
#include <cstdint>

namespace cx {

// What the live processor reports to the HTTP endpoints and probes. Written by the processing
// thread, read by others; every field is atomic.
struct LiveStatus {
  // Assigned partitions are restored and the consumer is consuming (/readyz).
  std::atomic<bool> ready{false};
  std::atomic<int> assigned_shards{0};
  std::atomic<bool> broker_reachable{true};
  std::atomic<uint64_t> events_consumed{0};
  std::atomic<uint64_t> dead_letters{0};
  std::atomic<uint64_t> transactions_committed{0};
  std::atomic<uint64_t> transactions_aborted{0};
  // Records merged past an input still fetching behind them (InputMerger::overtook).
  std::atomic<uint64_t> merge_overtakes{0};
};

}  // namespace cx
