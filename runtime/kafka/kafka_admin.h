#pragma once

#include <chrono>
#include <map>
#include <string>

#include <librdkafka/rdkafka.h>

#include "runtime/config/kafka_config.h"
#include "runtime/shard/clock.h"

namespace cx {

using TopicPartitionCounts = std::map<std::string, int>;

// Reads the partition count of every topic in the cluster (one metadata request).
[[nodiscard]] bool DescribeTopics(rd_kafka_t* client, int timeout_ms, TopicPartitionCounts& counts,
                                  std::string& error);

// Creates a compacted topic with `partitions` partitions and the broker's default replication
// factor. An existing topic of that name is not an error.
[[nodiscard]] bool CreateCompactedTopic(rd_kafka_t* client, const std::string& name, int partitions,
                                        int timeout_ms, const Clock& clock, std::string& error);

// Creates a plain (delete-retention) topic; an existing topic is not an error. Both return once
// the cluster metadata lists every partition with a leader, so clients can use it at once.
[[nodiscard]] bool CreateTopic(rd_kafka_t* client, const std::string& name, int partitions,
                               bool compacted, int timeout_ms, const Clock& clock,
                               std::string& error);

// Checks the topics of `cxpulse run` and returns the number of input partitions (0 with a
// one-line reason on failure): every input and output topic exists (topics created just before
// are looked up again every `retry_every` for up to `appear_within`), the four inputs have the
// same partition count, and the changelog has at least as many (it is created, compacted, with
// that count when missing).
[[nodiscard]] int CheckLiveTopics(rd_kafka_t* client, const KafkaConfig& kafka, const Clock& clock,
                                  int timeout_ms, std::chrono::milliseconds appear_within,
                                  std::chrono::milliseconds retry_every, std::string& error);

// Seeks every partition of `assigned` (a consumer's current assignment) to its committed
// offset, or to the beginning when none is committed: a rollback's rewind. Returns false with a
// one-line reason.
[[nodiscard]] bool RewindToCommitted(rd_kafka_t* consumer,
                                     rd_kafka_topic_partition_list_t* assigned, int timeout_ms,
                                     std::string& error);

}  // namespace cx
