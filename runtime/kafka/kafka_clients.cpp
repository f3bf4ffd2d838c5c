#include "runtime/kafka/kafka_clients.h"

namespace cx {
namespace {

// librdkafka statistics (consumer lag) of the group consumer, this often.
constexpr const char* kStatisticsIntervalMs = "5000";
// A restore ends at end-of-partition; a store's checkpoint usually points at the last
// transaction marker, so the default 500 ms fetch wait would delay every shard's restore.
constexpr const char* kRestoreFetchWaitMs = "10";

}  // namespace

Result<KafkaHandle> CreateKafkaClient(rd_kafka_type_t type, std::string_view what,
                                      const std::vector<const KafkaProperties*>& layers,
                                      const KafkaCallbacks& callbacks) {
  Result<KafkaConf> made = MakeKafkaConf(layers);
  if (!made) {
    return made.error();
  }
  KafkaConf conf = std::move(made).value();
  if (callbacks.opaque != nullptr) rd_kafka_conf_set_opaque(conf.get(), callbacks.opaque);
  if (callbacks.rebalance != nullptr) {
    rd_kafka_conf_set_rebalance_cb(conf.get(), callbacks.rebalance);
  }
  if (callbacks.error != nullptr) rd_kafka_conf_set_error_cb(conf.get(), callbacks.error);
  if (callbacks.statistics != nullptr) {
    rd_kafka_conf_set_stats_cb(conf.get(), callbacks.statistics);
  }
  if (callbacks.delivery != nullptr) rd_kafka_conf_set_dr_msg_cb(conf.get(), callbacks.delivery);
  char errstr[512];
  KafkaHandle client(rd_kafka_new(type, conf.get(), errstr, sizeof(errstr)));
  if (!client) {
    return Err("cannot create " + std::string(what) + ": " + errstr);
  }
  static_cast<void>(conf.release());  // owned by the client now
  if (type == RD_KAFKA_CONSUMER) {
    rd_kafka_poll_set_consumer(client.get());
  }
  return client;
}

KafkaProperties GroupConsumerProperties(const KafkaConfig& kafka) {
  KafkaProperties properties = {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"group.id", kafka.group_id},
      {"partition.assignment.strategy", "range"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"isolation.level", "read_committed"},
      {"auto.offset.reset", "earliest"},
      {"enable.partition.eof", "true"},
      {"log.connection.close", "false"},
      {"statistics.interval.ms", kStatisticsIntervalMs},
      {"queued.max.messages.kbytes", std::to_string(kafka.prefetch_kb)},
      {"fetch.max.bytes", std::to_string(kafka.fetch_max_kb * 1024)},
      {"fetch.wait.max.ms", std::to_string(kafka.fetch_wait.ms)},
  };
  if (!kafka.instance_id.empty()) {
    properties.emplace_back("group.instance.id", kafka.instance_id);
  }
  return properties;
}

KafkaProperties RestoreConsumerProperties(const KafkaConfig& kafka) {
  return {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"group.id", kafka.group_id + "-restore"},
      {"enable.auto.commit", "false"},
      {"isolation.level", "read_committed"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      {"log.connection.close", "false"},
      {"fetch.wait.max.ms", kRestoreFetchWaitMs},
  };
}

KafkaProperties ProducerProperties(const KafkaConfig& kafka, const std::string& transactional_id) {
  KafkaProperties properties = {
      {"bootstrap.servers", kafka.bootstrap_servers},
      {"linger.ms", "5"},
      {"compression.type", "lz4"},
      {"enable.idempotence", "true"},
      {"partitioner", "murmur2_random"},
      {"log.connection.close", "false"},
  };
  if (kafka.processing == ProcessingGuarantee::kExactlyOnce) {
    properties.emplace_back("transactional.id", transactional_id);
    properties.emplace_back("transaction.timeout.ms", std::to_string(kafka.transaction_timeout.ms));
  }
  return properties;
}

}  // namespace cx
