#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/config/kafka_config.h"
#include "runtime/kafka/kafka_handles.h"

namespace cx {

// The librdkafka callbacks a client is created with; null ones are left unset (librdkafka's
// defaults). `opaque` is passed to every callback.
struct KafkaCallbacks {
  void* opaque = nullptr;
  void (*rebalance)(rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t*,
                    void*) = nullptr;
  void (*error)(rd_kafka_t*, int, const char*, void*) = nullptr;
  int (*statistics)(rd_kafka_t*, char*, size_t, void*) = nullptr;
  void (*delivery)(rd_kafka_t*, const rd_kafka_message_t*, void*) = nullptr;
};

// The one place cxpulse makes a librdkafka client: a configuration from `layers` (applied in
// order, later ones win; MakeKafkaConf routes librdkafka's log lines to spdlog), the callbacks,
// then the handle; a consumer's events are redirected to
// its consumer queue. The one-line reason when it cannot ("cannot create <what>: …" or "kafka
// property NAME: …").
[[nodiscard]] Result<KafkaHandle> CreateKafkaClient(
    rd_kafka_type_t type, std::string_view what, const std::vector<const KafkaProperties*>& layers,
    const KafkaCallbacks& callbacks);

// The base properties of each client of the live processor (the `kafka:` section's
// `properties` and `consumer_properties` / `producer_properties` go on top):
// the consumer group member over the input topics,
[[nodiscard]] KafkaProperties GroupConsumerProperties(const KafkaConfig& kafka);
// the group-less consumer that restores shards from the changelog,
[[nodiscard]] KafkaProperties RestoreConsumerProperties(const KafkaConfig& kafka);
// and the producer of outputs and changelog records (transactional with exactly-once).
[[nodiscard]] KafkaProperties ProducerProperties(const KafkaConfig& kafka,
                                                 const std::string& transactional_id);

}  // namespace cx
