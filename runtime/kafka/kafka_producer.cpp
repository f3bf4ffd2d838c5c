#include "runtime/kafka/kafka_producer.h"

#include <spdlog/spdlog.h>

#include "runtime/kafka/kafka_clients.h"

namespace cx {
namespace {

// How long a producer being destroyed waits for records still in flight.
constexpr int kCloseFlushTimeoutMs = 2000;

}  // namespace

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const KafkaConfig& config,
                                                             const std::string& transactional_id) {
  KafkaProperties base = ProducerProperties(config, transactional_id);
  std::unique_ptr<KafkaProducer> producer(new KafkaProducer(config.topics.changelog));
  KafkaCallbacks callbacks;
  callbacks.opaque = producer.get();
  callbacks.delivery = &KafkaProducer::OnDelivery;
  Result<KafkaHandle> handle =
      CreateKafkaClient(RD_KAFKA_PRODUCER, "the Kafka producer",
                        {&base, &config.properties, &config.producer_properties}, callbacks);
  if (!handle) {
    return handle.error();
  }
  producer->handle_ = std::move(handle).value();
  return producer;
}

KafkaProducer::~KafkaProducer() {
  if (handle_) {
    rd_kafka_flush(handle_.get(), kCloseFlushTimeoutMs);
  }
}

void KafkaProducer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<KafkaProducer*>(opaque);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (self->delivery_failures_.fetch_add(1) == 0) {
      spdlog::warn("kafka: delivery to {} failed: {}", rd_kafka_topic_name(message->rkt),
                   rd_kafka_err2str(message->err));
    }
    return;
  }
  if (self->changelog_topic_ == rd_kafka_topic_name(message->rkt)) {
    int64_t& last = self->changelog_offsets_[message->partition];
    if (message->offset > last) {
      last = message->offset;
    }
  }
}

void KafkaProducer::Produce(const std::string& topic, int32_t partition, std::string_view key,
                            const std::string_view* value) {
  void* value_ptr = value == nullptr ? nullptr : const_cast<char*>(value->data());
  size_t value_len = value == nullptr ? 0 : value->size();
  void* key_ptr = const_cast<char*>(key.data());
  size_t key_len = key.size();
  for (;;) {
    rd_kafka_resp_err_t err =
        rd_kafka_producev(handle_.get(), RD_KAFKA_V_TOPIC(topic.c_str()),
                          RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
                          RD_KAFKA_V_KEY(key_ptr, key_len), RD_KAFKA_V_VALUE(value_ptr, value_len),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      return;
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(handle_.get(), 10);
      continue;
    }
    if (delivery_failures_.fetch_add(1) == 0) {
      spdlog::warn("kafka: cannot enqueue a record for {}: {}", topic, rd_kafka_err2str(err));
    }
    return;
  }
}

bool KafkaProducer::Flush(int timeout_ms) {
  return rd_kafka_flush(handle_.get(), timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

int64_t KafkaProducer::ChangelogOffset(int32_t partition) const {
  auto it = changelog_offsets_.find(partition);
  return it == changelog_offsets_.end() ? -1 : it->second;
}

}  // namespace cx
