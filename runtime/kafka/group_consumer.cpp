#include "runtime/kafka/group_consumer.h"

#include <chrono>
#include <functional>
#include <thread>

#include <spdlog/spdlog.h>

#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_clients.h"
#include "runtime/kafka/kafka_stats.h"
#include "runtime/kafka/partition_owners.h"

namespace cx {
namespace {

// How long an assignment waits for its committed offsets before the shards restore (a
// transaction of the previous owner holds them unstable until it ends; the brokers abort a
// killed owner's within kafka.transaction_timeout plus their check interval).
constexpr auto kCommittedOffsetsWait = std::chrono::seconds(60);
// After a failed read: the pause before the next, and how often a failure is logged as a warning.
constexpr auto kCommittedOffsetsRetryEvery = std::chrono::seconds(1);
constexpr auto kCommittedOffsetsWarnEvery = std::chrono::seconds(60);

// Reads the group's committed offsets of `partitions` into them before their shards restore,
// asking again until they are read or `stopping()`: a restore before that read could miss the
// states of a previous owner's transaction still open, whose offsets the shards would then
// resume from (the handover race of 2026-12-03, RELIABILITY.md). Stopping, they are left to
// librdkafka (RD_KAFKA_OFFSET_INVALID): the restore ends early and nothing of them commits.
void ReadOffsetsBeforeRestore(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* partitions,
                              const std::function<bool()>& stopping) {
  auto warned = std::chrono::steady_clock::time_point::min();
  for (;;) {
    Result<void> read = ReadCommittedOffsets(
        rk, partitions, std::chrono::steady_clock::now() + kCommittedOffsetsWait, stopping);
    if (read) {
      return;
    }
    if (stopping()) {
      spdlog::info("kafka: {}; stopping", read.error().message());
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - warned >= kCommittedOffsetsWarnEvery) {
      spdlog::warn("kafka: {}; asking again: the assigned shards restore once they are read",
                   read.error().message());
      warned = now;
    }
    std::this_thread::sleep_for(kCommittedOffsetsRetryEvery);
  }
  for (int i = 0; i < partitions->cnt; ++i) {
    partitions->elems[i].offset = RD_KAFKA_OFFSET_INVALID;
    partitions->elems[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
  }
}

}  // namespace

GroupConsumer::GroupConsumer(const KafkaConfig& config, GroupListener& listener,
                             const std::vector<LiveObserver*>& observers,
                             std::string advertised_http)
    : config_(config),
      listener_(listener),
      observers_(observers),
      advertised_http_(std::move(advertised_http)) {}

GroupConsumer::~GroupConsumer() = default;

Result<void> GroupConsumer::Create() {
  KafkaProperties base = GroupConsumerProperties(config_);
  KafkaProperties advertised;
  if (!advertised_http_.empty()) {
    advertised.emplace_back("client.id", AdvertisingClientId(config_, advertised_http_));
  }
  KafkaCallbacks callbacks;
  callbacks.opaque = this;
  callbacks.rebalance = &GroupConsumer::OnRebalance;
  callbacks.error = &GroupConsumer::OnError;
  callbacks.statistics = &GroupConsumer::OnStatistics;
  Result<KafkaHandle> consumer = CreateKafkaClient(
      RD_KAFKA_CONSUMER, "the Kafka consumer",
      {&base, &config_.properties, &config_.consumer_properties, &advertised}, callbacks);
  if (!consumer) {
    return consumer.error();
  }
  consumer_ = std::move(consumer).value();
  return Ok();
}

Result<void> GroupConsumer::Subscribe() {
  const TopicNames& t = config_.topics;
  KafkaPartitionList topics(rd_kafka_topic_partition_list_new(ShardInputs::kInputs));
  for (const std::string* name : {&t.clicks, &t.calls, &t.chats, &t.surveys}) {
    rd_kafka_topic_partition_list_add(topics.get(), name->c_str(), RD_KAFKA_PARTITION_UA);
  }
  rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer_.get(), topics.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err(std::string("cannot subscribe to the input topics: ") + rd_kafka_err2str(err));
  }
  return Ok();
}

GroupConsumer::PollOutcome GroupConsumer::Poll(int timeout_ms, std::string& fatal_reason) {
  KafkaMessage message(rd_kafka_consumer_poll(consumer_.get(), timeout_ms));
  if (!message) {
    return PollOutcome::kIdle;
  }
  if (message->err == RD_KAFKA_RESP_ERR__FATAL) {
    // The consumer is unusable from now on (e.g. a static member fenced after its session
    // expired during a broker outage): it must be replaced rather than stay up without
    // consuming.
    char detail[512] = {};
    rd_kafka_fatal_error(consumer_.get(), detail, sizeof(detail));
    fatal_reason = detail;
    return PollOutcome::kFatal;
  }
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    EnqueueFromConsumerQueue(std::move(message));
    return PollOutcome::kRecord;
  }
  if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    spdlog::debug("kafka: consumer: {}", rd_kafka_message_errstr(message.get()));
  }
  return PollOutcome::kIdle;
}

Result<void> GroupConsumer::Rejoin() {
  rd_kafka_destroy_flags(consumer_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  if (Result<void> created = Create(); !created) {
    return created;
  }
  return Subscribe();
}

void GroupConsumer::Close() {
  if (consumer_) {
    rd_kafka_consumer_close(consumer_.get());
  }
}

int GroupConsumer::InputIndex(std::string_view topic) const {
  const TopicNames& t = config_.topics;
  if (topic == t.clicks) return 0;
  if (topic == t.calls) return 1;
  if (topic == t.chats) return 2;
  if (topic == t.surveys) return 3;
  return -1;
}

void GroupConsumer::AttachInputQueues(const rd_kafka_topic_partition_list_t& partitions) {
  for (int i = 0; i < partitions.cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = partitions.elems[i];
    int input = InputIndex(tp.topic);
    ShardInputs* inputs = listener_.InputsOf(tp.partition);
    if (input < 0 || inputs == nullptr) continue;
    rd_kafka_queue_t* queue = rd_kafka_queue_get_partition(consumer_.get(), tp.topic, tp.partition);
    if (queue == nullptr) continue;
    inputs->Attach(static_cast<size_t>(input), queue, consumer_.get(), tp.topic, tp.partition);
  }
}

void GroupConsumer::EnqueueFromConsumerQueue(KafkaMessage message) {
  if (message->rkt == nullptr) return;
  int input = InputIndex(rd_kafka_topic_name(message->rkt));
  ShardInputs* inputs = listener_.InputsOf(message->partition);
  if (input < 0 || inputs == nullptr) return;
  inputs->Enqueue(static_cast<size_t>(input), std::move(message));
}

void GroupConsumer::OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<GroupConsumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // The committed offsets before the shards restore: reading them (stable, under
    // read_committed) waits for a transaction of the previous owner still deciding them, so the
    // restore after it sees every state that transaction committed; librdkafka would read them
    // only once the fetchers start, after the restore. Blocking here while the brokers are away
    // is no loss (the restore needs them too); past max.poll.interval.ms librdkafka leaves the
    // group and the assignment made below is lost (OnRevoked drops it).
    ReadOffsetsBeforeRestore(rk, partitions, [self] { return self->listener_.Stopping(); });
    self->listener_.OnAssigned(*partitions);
    // Detach the partition queues before the fetchers start, so no record of an assigned
    // partition is delivered through the consumer queue.
    self->AttachInputQueues(*partitions);
    rd_kafka_assign(rk, partitions);
  } else {
    self->listener_.OnRevoked();
    rd_kafka_assign(rk, nullptr);
  }
}

void GroupConsumer::OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<GroupConsumer*>(opaque);
  self->access_failure_.Record(err, reason);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__TRANSPORT) {
    self->listener_.OnBrokersUnreachable();
    return;
  }
  spdlog::debug("kafka: {}", reason);
}

int GroupConsumer::OnStatistics(rd_kafka_t*, char* json, size_t json_len, void* opaque) {
  auto* self = static_cast<GroupConsumer*>(opaque);
  if (!self->observers_.empty()) {
    std::vector<PartitionLag> lags = ParseConsumerLag(std::string_view(json, json_len));
    if (!lags.empty()) {
      for (LiveObserver* observer : self->observers_) observer->OnConsumerLag(lags);
    }
  }
  return 0;  // librdkafka frees `json`
}

}  // namespace cx
