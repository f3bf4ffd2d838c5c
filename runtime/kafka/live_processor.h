#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/config/config.h"
#include "runtime/kafka/changelog.h"
#include "runtime/kafka/customer_requests.h"
#include "runtime/kafka/group_consumer.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/kafka/live_observer.h"
#include "runtime/kafka/live_outputs.h"
#include "runtime/kafka/live_status.h"
#include "runtime/kafka/record_tally.h"
#include "runtime/kafka/shard_inputs.h"
#include "runtime/kafka/shard_persistence.h"
#include "runtime/shard/clock.h"
#include "runtime/shard/emission_sink.h"
#include "runtime/shard/shard.h"
#include "schemas/decoder.h"
#include "schemas/result.h"

namespace cx {

// `cxpulse run`: a consumer group over the four co-partitioned input topics, one Shard per
// assigned partition number, outputs and the state changelog produced in one Kafka transaction
// per commit interval (DESIGN.md, "State and exactly-once"). Orchestration only: the clients
// come from kafka_clients.h, the merge of a shard's inputs is ShardInputs / InputMerger, the
// restore, commit and rollback of the shards' state with their transactions are
// ShardPersistence, the per-record work is Shard.
// Run() owns every shard; other threads only read `status()`. Commits overlap with processing:
// each runs on a thread of ShardPersistence's (the transaction, then the stores) while Run()
// applies the next records into the next batch (runtime/kafka/README.md, "Overlapped commits").
// Every time read goes through `clock`.
class LiveProcessor final : private GroupListener {
 public:
  // `member_suffix` (ProcessorGroup: "-t<i>" with more than one processing thread) is appended
  // to the instance id, so each processor in a process is its own group member
  // (group.instance.id) with its own transactional.id.
  LiveProcessor(AppConfig config, const Clock& clock, std::string_view member_suffix = {});
  ~LiveProcessor() override;

  // Connects, checks the topics (all present, inputs co-partitioned) and, for exactly-once,
  // initialises transactions. The one-line reason when it cannot.
  [[nodiscard]] Result<void> Start();
  // Processes until `stop` is raised, then drains: commits what was processed and leaves the
  // group. The reason on an unrecoverable failure.
  [[nodiscard]] Result<void> Run(const std::atomic<bool>& stop);

  [[nodiscard]] const LiveStatus& status() const { return status_; }
  // The partitions of each input topic (after Start(); 0 before).
  [[nodiscard]] int input_partitions() const { return input_partitions_; }
  // The rules the shards run with (the metrics probe's at-risk levels).
  [[nodiscard]] const RulesConfig& rules() const { return config_.rules; }
  [[nodiscard]] const ReasonsConfig& reasons() const { return config_.reasons; }
  // Adds an observer (metrics, the HTTP alert feed). Call before Run(); it must outlive Run().
  void AddObserver(LiveObserver* observer) { observers_.push_back(observer); }

  using CustomerAnswer = cx::CustomerAnswer;
  using CustomerReply = CustomerRequests::Reply;
  // Thread-safe. Asks the processing thread for one customer's current state, from the shard of
  // its partition (CustomerPartition over the input partitions). `reply` runs on the processing
  // thread within one commit interval.
  void RequestCustomer(std::string customer_id, CustomerReply reply) {
    requests_.Add(std::move(customer_id), std::move(reply));
  }
  // The HTTP address the other instances reach this one at (http.advertised_address): carried
  // in the group consumer's client.id (AdvertisingClientId), so /customers/{id} on any instance
  // finds the owner of a partition. Call before Start(); empty = not advertised.
  void AdvertiseHttpAddress(std::string address) { advertised_http_ = std::move(address); }

 private:
  struct ShardSlot {
    ShardSlot(MergeWaits waits, size_t input_queue_bytes) : inputs(waits, input_queue_bytes) {}
    std::unique_ptr<Shard> shard;
    MonotonicTime last_event;
    RestoreProgress restore;
    ShardInputs inputs;
  };

  // GroupListener: the consumer's rebalances and errors.
  void OnAssigned(const rd_kafka_topic_partition_list_t& assignment) override;
  void OnRevoked() override;
  [[nodiscard]] ShardInputs* InputsOf(int partition) override;
  void OnBrokersUnreachable() override { SetBrokerReachable(false); }
  [[nodiscard]] bool Stopping() const override { return stop_ != nullptr && stop_->load(); }

  void ServeCustomerRequests();
  void PublishSnapshots();
  // After a fatal consumer error: drops uncommitted work and joins again with a new consumer.
  void RejoinWithNewConsumer(const std::string& reason);
  // Drops what is not committed without a rollback (the shards go next): completes the commit
  // in flight without recovering, drops the pending offsets and buffered outputs, and aborts the
  // open transaction (stopping: leaves it to the brokers, and nothing more commits). False after
  // Fail() (no producer could be re-created).
  bool DropUncommitted();
  // Fail() with the restore error of `partition`, unless a stop was asked for meanwhile.
  void FailRestore(int partition, const Err& error);
  [[nodiscard]] Result<void> OpenShard(int partition);
  // Pulls what librdkafka has buffered for the inputs of a shard whose records ran out.
  bool FillInputs(ShardSlot& slot);
  // Processes the queued records of a shard in the merge order of its inputs (ShardInputs).
  // Processes at most `budget` records; returns true when it stopped because of the budget or
  // because the commit in flight ended (the loop completes it).
  [[nodiscard]] bool DrainShard(ShardSlot& slot, size_t budget);
  // `started`: the monotonic time the record was taken; `not_after`: the latest event time it
  // may carry (now + kafka.max_future). Returns the monotonic time it was done. May roll back
  // (Recover, when no transaction can begin): `slot` is then gone and the record is not
  // processed (the rewind brings it back).
  // `input`: which of the slot's inputs the record came from.
  MonotonicTime ProcessRecord(ShardSlot& slot, int input, const InputRecord& record,
                              MonotonicTime started, EventTime not_after);
  // Hands the records and signals tallied since the last call to the observers (one call per
  // turn; none when there were none).
  void ReportRecords();
  void AdvanceIdleShards();
  // Commits everything processed so far (a transaction, or flush + offset commit) and waits
  // for it, after the commit in flight. Returns false when work was rolled back (it will be
  // processed again).
  bool CommitCycle();
  // Starts committing everything processed so far in the background (no commit may be in
  // flight). Returns false when work was rolled back instead.
  bool StartCommit();
  // Waits for the commit in flight, if any, and completes it: reports it and, when it failed,
  // rolls back (Recover) if `recover`. Returns false when it did not commit.
  bool FinishCommit(bool recover = true);
  bool BeginTransactionIfNeeded();
  // Drops every uncommitted change: aborts, re-creates the producer when needed, rewinds the
  // consumer to the committed offsets and reopens the shards from their stores + changelog
  // (inside OnRevoked only the first two: the shards go with the assignment).
  void Recover(bool new_producer);
  // Stopping: a commit failed and is not rolled back; nothing more is committed (logged once).
  void GiveUpFinalCommit();
  void SetBrokerReachable(bool reachable);
  void Fail(std::string message);
  [[nodiscard]] MergeWaits merge_waits() const;

  AppConfig config_;
  const Clock& clock_;
  LiveStatus status_;
  std::vector<LiveObserver*> observers_;
  CustomerRequests requests_;
  std::string instance_id_;
  std::string advertised_http_;

  std::unique_ptr<GroupConsumer> consumer_;
  std::unique_ptr<ShardPersistence> persistence_;
  // The shards' emission sink.
  std::unique_ptr<LiveOutputs> outputs_;
  std::map<int, ShardSlot> shards_;
  // Raised whenever `shards_` is emptied or rebuilt (Recover, a rebalance, a rejoin): a loop
  // over `shards_`, or a drain holding a ShardSlot&, that called into something which may
  // recover must compare it before touching either again.
  uint64_t shards_generation_ = 0;
  // Inside OnRevoked: a rollback then only drops the uncommitted work (Recover).
  bool revoking_ = false;
  CacheBounds cache_per_shard_;
  int input_partitions_ = 0;

  Decoder decoder_;
  Event event_;
  RecordTally tally_;  // records processed this turn, for the observers
  // Next offset to commit per input (topic, partition) since the last commit.
  ConsumedOffsets pending_offsets_;
  // The offsets of the commit in flight (pending_offsets_ when it started).
  ConsumedOffsets committing_offsets_;
  // The group's committed offset per input (topic, partition) of the assignment, where known:
  // read at assignment, then each committed transaction's. An exactly-once commit that consumed
  // nothing sends these again, so that it too carries the group generation: without consumer
  // offsets a transaction is not checked against the group, and a member that was paused past
  // its session timeout (its partitions handed to another) would commit what its idle timers
  // fired on its return (tests/integration/zombie_fence_test.py).
  ConsumedOffsets committed_offsets_;
  const std::atomic<bool>* stop_ = nullptr;
  // Inside Run(): only then does an unreachable broker mean a reconnect that will happen (before,
  // Start() reports its own waiting and gives up; after, nothing reconnects). Read by the
  // commit thread too (SetBrokerReachable).
  std::atomic<bool> running_{false};
  // When the commit in flight started.
  MonotonicTime commit_started_;
  std::string fatal_error_;
  // GiveUpFinalCommit() was called, or DropUncommitted() while stopping: nothing more commits.
  bool final_commit_failed_ = false;
};

}  // namespace cx
