#include "runtime/kafka/kafka_stats.h"

#include <algorithm>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace cx {

std::vector<PartitionLag> ParseConsumerLag(std::string_view json) {
  std::vector<PartitionLag> lags;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
    return lags;
  }
  simdjson::dom::object topics;
  if (root["topics"].get(topics) != simdjson::SUCCESS) {
    return lags;
  }
  for (simdjson::dom::key_value_pair topic : topics) {
    simdjson::dom::object partitions;
    if (topic.value["partitions"].get(partitions) != simdjson::SUCCESS) continue;
    for (simdjson::dom::key_value_pair partition : partitions) {
      int64_t id = -1;
      int64_t lag = -1;
      if (partition.value["partition"].get(id) != simdjson::SUCCESS || id < 0) continue;
      if (partition.value["consumer_lag"].get(lag) != simdjson::SUCCESS) continue;
      // Exactly-once commits offsets through the producer, so the consumer's committed offset
      // is at best the one fetched at assignment (-1 before any commit; after a rebalance, the
      // commit before it, forever): measure from what it has handed to the application when
      // that is less.
      int64_t stable = -1;
      int64_t consumed = -1;
      if (partition.value["ls_offset"].get(stable) != simdjson::SUCCESS) stable = -1;
      if (stable >= 0 && partition.value["app_offset"].get(consumed) == simdjson::SUCCESS &&
          consumed >= 0) {
        int64_t handed = stable > consumed ? stable - consumed : 0;
        lag = lag < 0 ? handed : std::min(lag, handed);
      }
      // Nothing handed over since the partition was assigned (app_offset unset): e.g. a member
      // that consumed everything before a rebalance gave its partitions back to it, or to
      // another member that starts at their end. Then the lag is what is still to fetch plus
      // what is fetched and queued; without it such a caught-up partition had no lag at all.
      std::string_view fetch_state;
      int64_t next = -1;
      if (lag < 0 && stable >= 0 &&
          partition.value["fetch_state"].get(fetch_state) == simdjson::SUCCESS &&
          fetch_state == "active" &&
          partition.value["next_offset"].get(next) == simdjson::SUCCESS && next >= 0) {
        int64_t queued_records = 0;
        if (partition.value["fetchq_cnt"].get(queued_records) != simdjson::SUCCESS) {
          queued_records = 0;
        }
        lag = (stable > next ? stable - next : 0) + std::max<int64_t>(queued_records, 0);
      }
      if (lag < 0) continue;
      int64_t queued = 0;
      if (partition.value["fetchq_size"].get(queued) != simdjson::SUCCESS) queued = 0;
      lags.push_back(PartitionLag{std::string(topic.key), static_cast<int32_t>(id), lag, queued});
    }
  }
  return lags;
}

}  // namespace cx
