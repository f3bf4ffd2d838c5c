#include "runtime/kafka/customer_requests.h"

#include <algorithm>

#include "runtime/shard/customer_lookup.h"
#include "runtime/shard/state_json.h"

namespace cx {

void CustomerRequests::Add(std::string customer_id, Reply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.emplace_back(std::move(customer_id), std::move(reply));
}

void CustomerRequests::Serve(const std::vector<Shard*>& shards, const RulesConfig& rules) {
  std::deque<std::pair<std::string, Reply>> requests;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests.swap(queue_);
  }
  for (auto& [customer_id, reply] : requests) {
    std::optional<std::string> json;
    for (Shard* shard : shards) {
      CustomerState state;
      Result<CustomerLookup> found = FindCustomer(*shard, customer_id, state);
      if (found && *found == CustomerLookup::kFound) {
        std::string out;
        EventTime as_of = std::max(shard->max_event_time(), state.last_activity);
        AppendCustomerStateJson(customer_id, state, rules, as_of, out);
        json = std::move(out);
        break;
      }
    }
    reply(std::move(json));
  }
}

}  // namespace cx
