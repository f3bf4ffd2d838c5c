#pragma once

#include <string_view>
#include <vector>

#include "runtime/kafka/live_observer.h"

namespace cx {

// Extracts the consumer lag of every assigned partition from a librdkafka statistics JSON
// document: consumer_lag, or, when the consumer knows no committed offset (exactly-once commits
// through the producer), last stable offset - offset handed to the application; when nothing was
// handed over since the partition's assignment, last stable offset - next offset to fetch +
// records fetched and queued (an actively fetched partition only). The internal partition -1
// and partitions with none of these are skipped.
// Returns an empty vector for a document it cannot parse.
[[nodiscard]] std::vector<PartitionLag> ParseConsumerLag(std::string_view json);

}  // namespace cx
