#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "runtime/kafka/kafka_log.h"
#include "schemas/result.h"

namespace cx {

// RAII owners of librdkafka's C handles. Every handle cxpulse holds is one of these.
struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const {
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
  void operator()(rd_kafka_conf_t* conf) const {
    if (conf != nullptr) rd_kafka_conf_destroy(conf);
  }
  void operator()(rd_kafka_message_t* message) const {
    if (message != nullptr) rd_kafka_message_destroy(message);
  }
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    if (list != nullptr) rd_kafka_topic_partition_list_destroy(list);
  }
  void operator()(rd_kafka_error_t* error) const {
    if (error != nullptr) rd_kafka_error_destroy(error);
  }
  void operator()(rd_kafka_consumer_group_metadata_t* metadata) const {
    if (metadata != nullptr) rd_kafka_consumer_group_metadata_destroy(metadata);
  }
  void operator()(const rd_kafka_metadata_t* metadata) const {
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
  }
};

using KafkaHandle = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, RdKafkaDeleter>;
using KafkaMessage = std::unique_ptr<rd_kafka_message_t, RdKafkaDeleter>;
using KafkaPartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaDeleter>;
using KafkaError = std::unique_ptr<rd_kafka_error_t, RdKafkaDeleter>;
using KafkaGroupMetadata = std::unique_ptr<rd_kafka_consumer_group_metadata_t, RdKafkaDeleter>;
using KafkaMetadata = std::unique_ptr<const rd_kafka_metadata_t, RdKafkaDeleter>;

using KafkaProperties = std::vector<std::pair<std::string, std::string>>;

// Builds a librdkafka configuration from properties applied in order (later ones win), with
// librdkafka's log lines routed through spdlog (LogKafkaLine). Every configuration cxpulse
// creates comes from here. The error "kafka property NAME: reason" for an unknown or invalid
// property.
[[nodiscard]] inline Result<KafkaConf> MakeKafkaConf(
    const std::vector<const KafkaProperties*>& layers) {
  KafkaConf conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), &LogKafkaLine);
  char errstr[512];
  for (const KafkaProperties* layer : layers) {
    for (const auto& [key, value] : *layer) {
      if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
          RD_KAFKA_CONF_OK) {
        return Err("kafka property " + key + ": " + errstr);
      }
    }
  }
  return conf;
}

}  // namespace cx
