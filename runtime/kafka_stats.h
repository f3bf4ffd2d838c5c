#pragma once

#include <string_view>
#include <vector>

#include "runtime/live_observer.h"

namespace cx {

// Extracts the consumer lag of every assigned partition from a librdkafka statistics JSON
// document (topics.*.partitions.*.consumer_lag; the internal partition -1 is skipped).
// Returns an empty vector for a document it cannot parse.
[[nodiscard]] std::vector<PartitionLag> ParseConsumerLag(std::string_view json);

}  // namespace cx
