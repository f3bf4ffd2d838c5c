#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "runtime/config/kafka_config.h"
#include "runtime/kafka/kafka_handles.h"
#include "schemas/result.h"

namespace cx {

// The one producer of a live processor: outputs (signals, alerts, dead letters) and changelog
// records. With exactly-once it is transactional (transactional.id = group id + instance id).
// Delivery reports are counted and, for the changelog topic, remember the last offset written
// per partition (the checkpoint written to RocksDB after a commit). Single-threaded use.
class KafkaProducer {
 public:
  // Creates the producer; a one-line reason on bad properties.
  [[nodiscard]] static Result<std::unique_ptr<KafkaProducer>> Create(
      const KafkaConfig& config, const std::string& transactional_id);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Enqueues one record; blocks (serving delivery reports) while the local queue is full.
  // partition < 0 lets the partitioner choose by key. A null `value` writes a tombstone.
  void Produce(const std::string& topic, int32_t partition, std::string_view key,
               const std::string_view* value);
  // Serves delivery reports without blocking.
  void Poll() { rd_kafka_poll(handle_.get(), 0); }
  // Waits until every enqueued record is delivered or failed (at most `timeout_ms`).
  [[nodiscard]] bool Flush(int timeout_ms);

  [[nodiscard]] rd_kafka_t* handle() const { return handle_.get(); }
  // Highest offset delivered to `partition` of the changelog topic, or -1.
  [[nodiscard]] int64_t ChangelogOffset(int32_t partition) const;
  // Deliveries that failed since the last call (resets the count).
  [[nodiscard]] uint64_t TakeDeliveryFailures() { return delivery_failures_.exchange(0); }

 private:
  KafkaProducer(std::string changelog_topic) : changelog_topic_(std::move(changelog_topic)) {}
  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);

  KafkaHandle handle_;
  std::string changelog_topic_;
  std::map<int32_t, int64_t> changelog_offsets_;
  std::atomic<uint64_t> delivery_failures_{0};
};

}  // namespace cx
