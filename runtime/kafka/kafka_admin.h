#pragma once

#include <map>
#include <string>

#include <librdkafka/rdkafka.h>

namespace cx {

using TopicPartitionCounts = std::map<std::string, int>;

// Reads the partition count of every topic in the cluster (one metadata request).
[[nodiscard]] bool DescribeTopics(rd_kafka_t* client, int timeout_ms, TopicPartitionCounts& counts,
                                  std::string& error);

// Creates a compacted topic with `partitions` partitions and the broker's default replication
// factor. An existing topic of that name is not an error.
[[nodiscard]] bool CreateCompactedTopic(rd_kafka_t* client, const std::string& name, int partitions,
                                        int timeout_ms, std::string& error);

// Creates a plain (delete-retention) topic; an existing topic is not an error. Both return once
// the cluster metadata lists every partition with a leader, so clients can use it at once.
[[nodiscard]] bool CreateTopic(rd_kafka_t* client, const std::string& name, int partitions,
                               bool compacted, int timeout_ms, std::string& error);

}  // namespace cx
