#include "runtime/kafka/kafka_stats.h"

#include <algorithm>
#include <string>

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
      if (partition.value["ls_offset"].get(stable) == simdjson::SUCCESS &&
          partition.value["app_offset"].get(consumed) == simdjson::SUCCESS && stable >= 0 &&
          consumed >= 0) {
        int64_t handed = stable > consumed ? stable - consumed : 0;
        lag = lag < 0 ? handed : std::min(lag, handed);
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
