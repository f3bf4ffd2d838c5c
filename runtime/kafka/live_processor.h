#pragma once

#include <atomic>
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
#include "runtime/kafka/kafka_handles.h"
#include "runtime/kafka/live_observer.h"
#include "runtime/kafka/live_status.h"
#include "runtime/kafka/shard_inputs.h"
#include "runtime/kafka/transactions.h"
#include "runtime/shard/clock.h"
#include "runtime/shard/emission_sink.h"
#include "runtime/shard/shard.h"
#include "schemas/decoder.h"

namespace cx {

// `cxpulse run`: a consumer group over the four co-partitioned input topics, one Shard per
// assigned partition number, outputs and the state changelog produced in one Kafka transaction
// per commit interval (DESIGN.md, "State and exactly-once"). Orchestration only: the clients
// come from kafka_clients.h, the merge of a shard's inputs is ShardInputs / InputMerger, the
// transactions are Transactions, the restore is changelog.h, the per-record work is Shard.
// Single-threaded: Run() owns every shard; other threads only read `status()`. Every time read
// goes through `clock`.
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
  // The rules the shards run with (the metrics probe's at-risk levels).
  [[nodiscard]] const RulesConfig& rules() const { return config_.rules; }
  [[nodiscard]] const ReasonsConfig& reasons() const { return config_.reasons; }
  // Adds an observer (metrics, the HTTP alert feed). Call before Run(); it must outlive Run().
  void AddObserver(LiveObserver* observer) { observers_.push_back(observer); }

  // The answer to RequestCustomer.
  struct CustomerAnswer {
    enum class Kind : uint8_t {
      kFound,     // `json` is the customer's current state (runtime/shard/state_json.h)
      kNotFound,  // the customer's partition is assigned here and has no state for it
      kNotOwned,  // it is not assigned here (or the processor stopped)
    };
    Kind kind = Kind::kNotOwned;
    std::string json;
  };
  using CustomerReply = std::function<void(CustomerAnswer answer)>;
  // Thread-safe. Asks the processing thread for one customer's current state, from the shard of
  // its partition (CustomerPartition over the input partitions). `reply` runs on the processing
  // thread within one commit interval.
  void RequestCustomer(std::string customer_id, CustomerReply reply);
  // The HTTP address the other instances reach this one at (http.advertised_address): carried
  // in the group consumer's client.id (AdvertisingClientId), so /customers/{id} on any instance
  // finds the owner of a partition. Call before Start(); empty = not advertised.
  void AdvertiseHttpAddress(std::string address) { advertised_http_ = std::move(address); }

 private:
  struct ShardSlot {
    explicit ShardSlot(MergeWaits waits) : inputs(waits) {}
    std::unique_ptr<Shard> shard;
    MonotonicTime last_event;
    RestoreProgress restore;
    ShardInputs inputs;
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
  // Reads the cluster metadata, retrying for up to kafka.startup_timeout (on clock_) and saying
  // every few seconds what it waits for; false with the reason when the brokers never answered.
  [[nodiscard]] bool WaitForBrokers(std::string& error);
  [[nodiscard]] bool OpenShard(int partition, std::string& error);
  void Assign(rd_kafka_topic_partition_list_t* partitions);
  void Revoke();
  // Takes each partition queue of the assignment away from the consumer queue.
  void AttachInputQueues(rd_kafka_topic_partition_list_t* partitions);
  // A record fetched before its partition queue was detached from the consumer queue.
  void EnqueueFromConsumerQueue(KafkaMessage message);
  // Pulls what librdkafka has buffered for the inputs of a shard whose records ran out.
  bool FillInputs(ShardSlot& slot);
  // Processes the queued records of a shard in the merge order of its inputs (ShardInputs).
  // Processes at most `budget` records; returns true when it stopped because of the budget.
  [[nodiscard]] bool DrainShard(ShardSlot& slot, size_t budget);
  void ProcessRecord(ShardSlot& slot, const rd_kafka_message_t& message);
  [[nodiscard]] int InputIndex(std::string_view topic) const;
  void AdvanceIdleShards();
  // Commits everything processed so far (a transaction, or flush + offset commit).
  // Returns false when the work was rolled back (it will be processed again).
  bool CommitCycle();
  bool BeginTransactionIfNeeded();
  // Drops every uncommitted change: aborts, re-creates the producer when needed, reopens the
  // shards from their stores + changelog and rewinds the consumer to the committed offsets.
  void Recover(bool new_producer);
  void SetBrokerReachable(bool reachable);
  void Fail(std::string message);
  [[nodiscard]] MergeWaits merge_waits() const;

  AppConfig config_;
  const Clock& clock_;
  LiveStatus status_;
  std::vector<LiveObserver*> observers_;
  std::mutex requests_mutex_;
  std::deque<std::pair<std::string, CustomerReply>> customer_requests_;
  // Monotonic time at which the record being processed was consumed (alert latency).
  MonotonicTime trigger_consumed_at_;
  std::string instance_id_;
  std::string advertised_http_;

  KafkaHandle consumer_;
  KafkaHandle restore_consumer_;
  std::unique_ptr<Transactions> transactions_;
  std::map<int, ShardSlot> shards_;
  size_t cache_per_shard_ = 0;
  int input_partitions_ = 0;

  Decoder decoder_;
  Event event_;
  std::string scratch_;
  // Next offset to commit per input (topic, partition) since the last commit.
  std::map<std::pair<std::string, int32_t>, int64_t> pending_offsets_;
  std::vector<std::pair<Alert, MonotonicTime>> pending_alerts_;
  const std::atomic<bool>* stop_ = nullptr;
  // Inside Run(): only then does an unreachable broker mean a reconnect that will happen (before,
  // Start() reports its own waiting and gives up; after, nothing reconnects).
  bool running_ = false;
  std::string fatal_error_;
};

}  // namespace cx
