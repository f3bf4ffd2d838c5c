#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <string>

#include <librdkafka/rdkafka.h>

#include "runtime/config/kafka_config.h"
#include "runtime/kafka/access_failure.h"
#include "runtime/shard/clock.h"
#include "schemas/result.h"

namespace cx {

using TopicPartitionCounts = std::map<std::string, int>;

// Reads the partition count of every topic in the cluster (one metadata request).
[[nodiscard]] Result<TopicPartitionCounts> DescribeTopics(rd_kafka_t* client, int timeout_ms);

// Creates a compacted topic with `partitions` partitions and the broker's default replication
// factor. An existing topic of that name is not an error.
[[nodiscard]] Result<void> CreateCompactedTopic(rd_kafka_t* client, const std::string& name,
                                                int partitions, int timeout_ms, const Clock& clock);

// Creates a plain (delete-retention) topic; an existing topic is not an error. Both return once
// the cluster metadata lists every partition with a leader, so clients can use it at once.
[[nodiscard]] Result<void> CreateTopic(rd_kafka_t* client, const std::string& name, int partitions,
                                       bool compacted, int timeout_ms, const Clock& clock);

// Checks the topics of `cxpulse run` and returns the number of input partitions (or a one-line
// reason): every input and output topic exists (topics created just before
// are looked up again every `retry_every` for up to `appear_within`), the four inputs have the
// same partition count, and the changelog has at least as many (it is created, compacted, with
// that count when missing).
[[nodiscard]] Result<int> CheckLiveTopics(rd_kafka_t* client, const KafkaConfig& kafka,
                                          const Clock& clock, int timeout_ms,
                                          std::chrono::milliseconds appear_within,
                                          std::chrono::milliseconds retry_every);

// Reads the cluster metadata through `client`, retrying for up to kafka.startup_timeout (on
// `clock`) and logging every few seconds what it waits for. Between attempts it serves the
// client's callbacks; `access` is what the client's error callback records. The reason when the
// brokers never answered, at once when `access` holds a TLS or SASL failure (waiting cannot fix
// a wrong CA or password), or when `stop` was raised meanwhile.
[[nodiscard]] Result<void> WaitForBrokers(rd_kafka_t* client, const KafkaConfig& kafka,
                                          const Clock& clock, const std::atomic<bool>& stop,
                                          const AccessFailure& access);

// "cannot connect to broker <bootstrap> (check kafka.properties: …): <failure>", the one line
// when start-up gives up on an AccessFailure.
[[nodiscard]] std::string AccessFailureMessage(const KafkaConfig& kafka,
                                               const std::string& failure);

// True for the errors of brokers that cannot be reached or have no coordinator yet (down,
// restarting, timing out): waited out, not a failure.
[[nodiscard]] bool IsBrokerUnreachable(rd_kafka_resp_err_t err);

// The first partition of `offsets` (as rd_kafka_committed filled it in) whose committed offset
// came back with an error, as "<topic> [<partition>]: <error>"; empty when none did. Such a
// partition's offset is not "none committed" (which is an offset < 0 without an error): e.g.
// UNSTABLE_OFFSET_COMMIT while a fenced or killed producer's transaction with offsets is open.
[[nodiscard]] std::string FirstPartitionError(const rd_kafka_topic_partition_list_t& offsets);

// Sets each partition of `partitions` to its committed offset in the consumer's group
// (RD_KAFKA_OFFSET_INVALID when none is committed). With isolation.level=read_committed the
// offsets are stable: a transaction still open with offsets for one of them is waited for, so
// everything it wrote is decided when this returns. A partition whose committed offset comes
// back with an error is asked again until `deadline`, and so is a group coordinator that cannot
// be reached (IsBrokerUnreachable). The one-line reason when it cannot.
// `stop` (may be null) raised ends the waiting early, with a reason.
[[nodiscard]] Result<void> ReadCommittedOffsets(rd_kafka_t* consumer,
                                                rd_kafka_topic_partition_list_t* partitions,
                                                std::chrono::steady_clock::time_point deadline,
                                                const std::function<bool()>& stop = {});

// The timeout argument of rd_kafka_seek_partitions that waits `timeout_ms` milliseconds with
// librdkafka `librdkafka_version` (rd_kafka_version()): before 2.1.0 it waited for the seeks'
// replies that many microseconds (librdkafka #4230; Debian 12 ships 2.0.2), so a rollback's
// 60 s rewind gave up after 60 ms whenever librdkafka's main thread was slow to answer.
[[nodiscard]] int SeekPartitionsTimeoutArg(int timeout_ms, int librdkafka_version);

// Seeks every partition of `assigned` (a consumer's current assignment) to its committed
// offset, or to the beginning when none is committed: a rollback's rewind. A partition whose
// committed offset comes back with an error is asked again until timeout_ms has passed (never
// taken as "none committed": that would process it again from the beginning), and so is a
// group coordinator that cannot be reached (IsBrokerUnreachable), and so is a partition whose
// seek failed (its fetch position would stay past the rolled-back records) or was not
// confirmed in time (the whole seek is asked again). The one-line reason when it cannot.
[[nodiscard]] Result<void> RewindToCommitted(rd_kafka_t* consumer,
                                             rd_kafka_topic_partition_list_t* assigned,
                                             int timeout_ms);

}  // namespace cx
