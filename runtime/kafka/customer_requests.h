#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>

#include "processors/rules_config.h"
#include "runtime/shard/shard.h"

namespace cx {

// The answer to one `/customers/{id}` lookup on this processor.
struct CustomerAnswer {
  enum class Kind : uint8_t {
    kFound,     // `json` is the customer's current state (runtime/shard/state_json.h)
    kNotFound,  // the customer's partition is assigned here and has no state for it
    kNotOwned,  // it is not assigned here (or the processor stopped)
  };
  Kind kind = Kind::kNotOwned;
  std::string json;
};

// Lookups of one customer's current state (`/customers/{id}`) asked from any thread and answered
// on the processing thread, which owns the shards.
class CustomerRequests {
 public:
  using Reply = std::function<void(CustomerAnswer answer)>;
  // The shard of the customer's partition when it is assigned here, else nullptr.
  using ShardOf = std::function<Shard*(const std::string& customer_id)>;

  // Thread-safe. Queues a lookup; `reply` runs on the thread that calls Serve().
  void Add(std::string customer_id, Reply reply);

  // Answers every queued lookup from the shard `shard_of` names (its cached state first): found,
  // not found, or not owned (no shard; also for every lookup once the processor stopped). A
  // store that cannot be read answers not found, with a warning (no customer id).
  void Serve(const ShardOf& shard_of, const RulesConfig& rules);

 private:
  std::mutex mutex_;
  std::deque<std::pair<std::string, Reply>> queue_;
};

}  // namespace cx
