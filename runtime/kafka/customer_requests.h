#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "processors/rules_config.h"
#include "runtime/shard/shard.h"

namespace cx {

// Lookups of one customer's current state (`/customers/{id}`) asked from any thread and answered
// on the processing thread, which owns the shards.
class CustomerRequests {
 public:
  using Reply = std::function<void(std::optional<std::string> json)>;

  // Thread-safe. Queues a lookup; `reply` runs on the thread that calls Serve().
  void Add(std::string customer_id, Reply reply);

  // Answers every queued lookup from `shards`: the JSON of the first shard that has state for the
  // customer (runtime/shard/state_json.h, its cached state first), else nullopt (also for every
  // lookup when `shards` is empty, e.g. once the processor stopped).
  void Serve(const std::vector<Shard*>& shards, const RulesConfig& rules);

 private:
  std::mutex mutex_;
  std::deque<std::pair<std::string, Reply>> queue_;
};

}  // namespace cx
