#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "runtime/config/config.h"
#include "runtime/kafka/changelog.h"
#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/kafka/kafka_producer.h"
#include "runtime/kafka/live_observer.h"
#include "runtime/kafka/live_status.h"
#include "runtime/shard/clock.h"
#include "runtime/shard/emission_sink.h"
#include "runtime/shard/shard.h"
#include "schemas/decoder.h"

namespace cx {

// `cxpulse run`: a consumer group over the four co-partitioned input topics, one Shard per
// assigned partition number, outputs and the state changelog produced in one Kafka transaction
// per commit interval (DESIGN.md, "State and exactly-once"). Single-threaded: Run() owns every
// shard; other threads only read `status()`.
class LiveProcessor final : private EmissionSink {
 public:
  LiveProcessor(AppConfig config, const Clock& clock);
  ~LiveProcessor() override;

  // Connects, checks the topics (all present, inputs co-partitioned) and, for exactly-once,
  // initialises transactions. Returns false with a one-line reason.
  [[nodiscard]] bool Start(std::string& error);
  // Processes until `stop` is raised, then drains: commits what was processed and leaves the
  // group. Returns false with a reason on an unrecoverable failure.
  [[nodiscard]] bool Run(const std::atomic<bool>& stop, std::string& error);

  [[nodiscard]] const LiveStatus& status() const { return status_; }
  // Adds an observer (metrics, the HTTP alert feed). Call before Run(); it must outlive Run().
  void AddObserver(LiveObserver* observer) { observers_.push_back(observer); }

  using CustomerReply = std::function<void(std::optional<std::string> json)>;
  // Thread-safe. Asks the processing thread for one customer's current state as JSON
  // (runtime/state_json.h). `reply` runs on the processing thread within one poll interval,
  // with nullopt when no assigned shard has state for the customer (or the processor stopped).
  void RequestCustomer(std::string customer_id, CustomerReply reply);

 private:
  struct QueueDeleter {
    void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  };
  // One input topic-partition of a shard: librdkafka's queue for just that partition (not
  // forwarded to the consumer queue, so the merge pulls from exactly the input it needs) and
  // the records taken from it but not processed yet.
  struct InputQueue {
    std::unique_ptr<rd_kafka_queue_t, QueueDeleter> source;
    std::deque<KafkaMessage> records;
    bool at_end = false;    // the partition reported end-of-log and nothing arrived since
    bool answered = false;  // anything (a record or end-of-log) came since the assignment
  };
  struct ShardSlot {
    std::unique_ptr<Shard> shard;
    std::chrono::steady_clock::time_point last_event;
    RestoreProgress restore;
    std::array<InputQueue, 4> inputs;
    // Since when the merge has been waiting for an input that is behind (epoch = not waiting).
    std::chrono::steady_clock::time_point waiting_since{};
  };

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static int OnStatistics(rd_kafka_t* rk, char* json, size_t json_len, void* opaque);
  void ServeCustomerRequests();
  void PublishSnapshots();

  // EmissionSink: every output goes to the producer inside the open transaction.
  void OnSignal(const Signal& signal) override;
  void OnAlert(const Alert& alert) override;
  void OnDeadLetter(const DeadLetter& dead_letter) override;

  [[nodiscard]] bool CreateConsumer(std::string& error);
  [[nodiscard]] bool Subscribe(std::string& error);
  // After a fatal consumer error: drops uncommitted work and joins again with a new consumer.
  void RejoinWithNewConsumer(const std::string& reason);
  // Reads the cluster metadata, retrying for up to kafka.startup_timeout and saying every few
  // seconds what it waits for; false with the reason when the brokers never answered.
  [[nodiscard]] bool WaitForBrokers(TopicPartitionCounts& counts, std::string& error);
  [[nodiscard]] bool CheckTopics(std::string& error);
  [[nodiscard]] bool EnsureChangelog(int partitions, std::string& error);
  [[nodiscard]] bool CreateProducer(std::string& error);
  [[nodiscard]] bool OpenShard(int partition, std::string& error);
  void Assign(rd_kafka_topic_partition_list_t* partitions);
  void Revoke();
  // Takes each partition queue of the assignment away from the consumer queue.
  void AttachInputQueues(rd_kafka_topic_partition_list_t* partitions);
  // A record fetched before its partition queue was detached from the consumer queue: queued
  // in offset order with the ones pulled from the partition queue.
  void EnqueueFromConsumerQueue(KafkaMessage message);
  // Pulls what librdkafka has buffered for every input of the shard whose records ran out.
  // Returns true when anything was pulled.
  bool FillInputs(ShardSlot& slot);
  // Processes the queued records of a shard in record-timestamp order across its four input
  // topics. It waits (at most kafka.max_merge_wait) while an input that has not reached its end
  // has nothing queued, so a topic that is read ahead cannot overtake the others.
  // Processes at most `budget` records; returns true when it stopped because of the budget.
  [[nodiscard]] bool DrainShard(int partition, ShardSlot& slot, size_t budget);
  void ProcessRecord(ShardSlot& slot, const rd_kafka_message_t& message);
  [[nodiscard]] int InputIndex(std::string_view topic) const;
  void AdvanceIdleShards();
  // Commits everything processed so far (a transaction, or flush + offset commit).
  // Returns false when the work was rolled back (it will be processed again).
  bool CommitCycle();
  bool BeginTransactionIfNeeded();
  bool CommitTransaction(rd_kafka_topic_partition_list_t* offsets);
  // Drops every uncommitted change: aborts, re-creates the producer when needed, reopens the
  // shards from their stores + changelog and rewinds the consumer to the committed offsets.
  void Recover(bool fatal);
  void SetBrokerReachable(bool reachable);
  void Fail(std::string message);

  AppConfig config_;
  const Clock& clock_;
  LiveStatus status_;
  std::vector<LiveObserver*> observers_;
  std::mutex requests_mutex_;
  std::deque<std::pair<std::string, CustomerReply>> customer_requests_;
  // Steady-clock time at which the record being processed was consumed (alert latency).
  std::chrono::steady_clock::time_point trigger_consumed_at_;
  std::string instance_id_;
  std::string transactional_id_;
  bool exactly_once_;

  KafkaHandle consumer_;
  KafkaHandle restore_consumer_;
  std::unique_ptr<KafkaProducer> producer_;
  std::map<int, ShardSlot> shards_;
  size_t cache_per_shard_ = 0;
  int input_partitions_ = 0;

  Decoder decoder_;
  Event event_;
  std::string scratch_;
  // Next offset to commit per input (topic, partition) since the last commit.
  std::map<std::pair<std::string, int32_t>, int64_t> pending_offsets_;
  std::vector<std::pair<Alert, std::chrono::steady_clock::time_point>> pending_alerts_;
  bool transaction_open_ = false;
  bool dirty_outputs_ = false;
  const std::atomic<bool>* stop_ = nullptr;
  // Inside Run(): only then does an unreachable broker mean a reconnect that will happen (before,
  // Start() reports its own waiting and gives up; after, nothing reconnects).
  bool running_ = false;
  std::string fatal_error_;
};

}  // namespace cx
