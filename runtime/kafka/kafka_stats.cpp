#include "runtime/kafka/kafka_stats.h"

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
      if (lag < 0) {
        // Exactly-once commits offsets through the producer, so the consumer never learns a
        // committed offset: measure from what it has handed to the application instead.
        int64_t stable = -1;
        int64_t consumed = -1;
        if (partition.value["ls_offset"].get(stable) == simdjson::SUCCESS &&
            partition.value["app_offset"].get(consumed) == simdjson::SUCCESS && stable >= 0 &&
            consumed >= 0) {
          lag = stable > consumed ? stable - consumed : 0;
        }
      }
      if (lag < 0) continue;
      lags.push_back(PartitionLag{std::string(topic.key), static_cast<int32_t>(id), lag});
    }
  }
  return lags;
}

}  // namespace cx
