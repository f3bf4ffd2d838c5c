#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/config/kafka_config.h"
#include "runtime/kafka/access_failure.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/kafka/live_observer.h"
#include "runtime/kafka/shard_inputs.h"
#include "schemas/result.h"

namespace cx {

// What the group consumer asks of the processor that owns the shards. Every call comes from the
// processing thread, inside GroupConsumer::Poll.
class GroupListener {
 public:
  virtual ~GroupListener() = default;
  // The group assigned these input partitions: open (restore) the shards of their partition
  // numbers. Each entry's offset is the group's committed offset, read before this call
  // (RD_KAFKA_OFFSET_INVALID where none is committed or it could not be read). Their input
  // queues are attached (InputsOf) right after, before the fetchers start.
  virtual void OnAssigned(const rd_kafka_topic_partition_list_t& assignment) = 0;
  // The assignment is taken away: commit what was processed and drop the shards (unless it
  // was lost: GroupConsumer::AssignmentLost).
  virtual void OnRevoked() = 0;
  // The inputs of shard `partition`, or null when it has none (not open).
  [[nodiscard]] virtual ShardInputs* InputsOf(int partition) = 0;
  // The brokers became (un)reachable, as the consumer's error callback reports it.
  virtual void OnBrokersUnreachable() = 0;
  // A stop was asked for: waits inside a rebalance end early.
  [[nodiscard]] virtual bool Stopping() const = 0;
};

// The consumer group member over the four co-partitioned input topics: creates and subscribes
// the librdkafka consumer, turns its rebalances into GroupListener calls, detaches each
// assigned input partition's queue from the consumer queue into the shard's ShardInputs,
// routes records fetched before that, reports consumer lag to the observers, and replaces the
// consumer after a fatal error. Single-threaded: the processing thread (librdkafka runs the
// callbacks inside Poll).
class GroupConsumer {
 public:
  // `config`, `listener` and `observers` must outlive the consumer. `advertised_http` goes into
  // the client.id (AdvertisingClientId); empty = not advertised.
  GroupConsumer(const KafkaConfig& config, GroupListener& listener,
                const std::vector<LiveObserver*>& observers, std::string advertised_http);
  ~GroupConsumer();
  GroupConsumer(const GroupConsumer&) = delete;
  GroupConsumer& operator=(const GroupConsumer&) = delete;

  // Creates the consumer (not yet subscribed). The one-line reason when it cannot.
  [[nodiscard]] Result<void> Create();
  // Joins the group over the input topics.
  [[nodiscard]] Result<void> Subscribe();

  enum class PollOutcome {
    kIdle,    // nothing, or an event only
    kRecord,  // a record came through the consumer queue (queued to its shard's inputs)
    kFatal,   // the consumer is unusable: Rejoin()
  };
  // Serves the consumer queue for up to `timeout_ms`: rebalance callbacks, errors, statistics
  // and records of partitions whose queue was not detached yet. On kFatal, `fatal_reason`
  // holds librdkafka's reason.
  [[nodiscard]] PollOutcome Poll(int timeout_ms, std::string& fatal_reason);
  // Replaces an unusable consumer (see Poll) by a new one that joins the group again. The caller
  // has dropped its uncommitted work and shards.
  [[nodiscard]] Result<void> Rejoin();
  // Takes each partition queue of `partitions` away from the consumer queue into the inputs of
  // its shard (GroupListener::InputsOf).
  void AttachInputQueues(const rd_kafka_topic_partition_list_t& partitions);
  // Leaves the group (revoking the assignment through the listener).
  void Close();
  // librdkafka took the assignment to be lost (the session timed out, the member was fenced or
  // removed): another member may own its partitions already, so nothing of it may be
  // committed. The revocation (GroupListener::OnRevoked) follows in a Poll.
  [[nodiscard]] bool AssignmentLost() const {
    return consumer_ && rd_kafka_assignment_lost(consumer_.get()) == 1;
  }

  // The index of `topic` among the inputs (clicks, calls, chats, surveys), or -1.
  [[nodiscard]] int InputIndex(std::string_view topic) const;
  [[nodiscard]] rd_kafka_t* handle() const { return consumer_.get(); }
  // TLS / SASL failures the consumer's error callback saw (start-up gives up on the first).
  [[nodiscard]] AccessFailure& access_failure() { return access_failure_; }

 private:
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static int OnStatistics(rd_kafka_t* rk, char* json, size_t json_len, void* opaque);
  // A record fetched before its partition queue was detached from the consumer queue.
  void EnqueueFromConsumerQueue(KafkaMessage message);

  const KafkaConfig& config_;
  GroupListener& listener_;
  const std::vector<LiveObserver*>& observers_;
  std::string advertised_http_;
  AccessFailure access_failure_;
  KafkaHandle consumer_;
};

}  // namespace cx
