#include "runtime/kafka/customer_requests.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "runtime/shard/customer_lookup.h"
#include "runtime/shard/state_json.h"

namespace cx {

void CustomerRequests::Add(std::string customer_id, Reply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.emplace_back(std::move(customer_id), std::move(reply));
}

void CustomerRequests::Serve(const ShardOf& shard_of, const RulesConfig& rules) {
  std::deque<std::pair<std::string, Reply>> requests;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests.swap(queue_);
  }
  for (auto& [customer_id, reply] : requests) {
    CustomerAnswer answer;
    if (Shard* shard = shard_of ? shard_of(customer_id) : nullptr) {
      answer.kind = CustomerAnswer::Kind::kNotFound;
      CustomerState state;
      Result<CustomerLookup> found = FindCustomer(*shard, customer_id, state);
      if (!found) {
        spdlog::warn("customers: cannot read a customer of shard {}: {}", shard->partition(),
                     found.error().message());
      } else if (*found == CustomerLookup::kCorrupt) {
        spdlog::warn("customers: cannot read a customer of shard {}: undecodable state",
                     shard->partition());
      } else if (*found == CustomerLookup::kFound) {
        EventTime as_of = std::max(shard->max_event_time(), state.last_activity);
        AppendCustomerStateJson(customer_id, state, rules, as_of, answer.json);
        answer.kind = CustomerAnswer::Kind::kFound;
      }
    }
    reply(std::move(answer));
  }
}

}  // namespace cx
