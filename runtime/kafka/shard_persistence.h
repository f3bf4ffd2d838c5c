#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "runtime/config/config.h"
#include "runtime/kafka/changelog.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/kafka/transactions.h"
#include "runtime/shard/clock.h"
#include "runtime/shard/emission_sink.h"
#include "runtime/shard/shard.h"
#include "schemas/result.h"

namespace cx {

// Orders (topic, partition) keys; transparent, so that a record's (topic name, partition) finds
// its entry without building a string (one lookup per consumed record).
struct TopicPartitionLess {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    const std::string_view topic_a(a.first);
    const std::string_view topic_b(b.first);
    return topic_a != topic_b ? topic_a < topic_b : a.second < b.second;
  }
};

// Next offset to commit per consumed input (topic, partition).
using ConsumedOffsets = std::map<std::pair<std::string, int32_t>, int64_t, TopicPartitionLess>;

// The durable side of a live processor's shards (DESIGN.md, "State and exactly-once"): restoring
// a shard (its RocksDB store brought up to the end of its changelog partition, then its
// checkpoint and timers), committing (each shard's changes as changelog records, the outputs and
// the consumed offsets in one transaction, then each store's batch with its changelog
// checkpoint) and rolling back (the transaction dropped, the consumer rewound to the committed
// offsets; the caller reopens its shards). Owns the Transactions and the group-less restore
// consumer. Called from the processing thread only; a commit runs on a thread of its own
// (StartCommit to FinishCommit) while the processing thread goes on with the next batch.
class ShardPersistence {
 public:
  ShardPersistence(const AppConfig& config, std::string transactional_id, const Clock& clock);

  // Creates the restore consumer and opens the transactions (Transactions::Open).
  [[nodiscard]] Result<void> Open();

  // Opens shard `partition` from its store under state.dir, restored from the changelog first
  // (progress in `progress`; `stop` ends a restore early, as an error). Its outputs go to `sink`.
  // A store RocksDB reports corrupt is set aside (damaged_store.h) and rebuilt from the
  // changelog, once.
  [[nodiscard]] Result<std::unique_ptr<Shard>> OpenShard(int partition, CacheBounds cache,
                                                         EmissionSink& sink,
                                                         RestoreProgress& progress,
                                                         const std::atomic<bool>& stop);

  // The producer side: outputs go into the open transaction.
  [[nodiscard]] Transactions& transactions() { return transactions_; }

  // One shard to commit: its partition number and the shard.
  using ShardRef = std::pair<int, Shard*>;
  // How a commit ended: as Transactions::Commit, or (when `committed` but a store write then
  // failed) with the store's error; `next`: the error when, after committing, the next
  // transaction (holding what was produced meanwhile) could not begin (roll back with a new
  // producer).
  struct CommitOutcome {
    Transactions::Outcome outcome = Transactions::Outcome::kCommitted;
    Result<void> stores;
    Result<void> next;
  };
  // Starts committing every change of `shards` since their last take with the consumed
  // `offsets` of `consumer`'s group. Here, on the calling thread: takes each shard's batch
  // (Shard::TakeCommitBatch) and produces it as changelog records into the open transaction,
  // then holds the transactions (Transactions::Hold). On a thread of its own: commits the
  // transaction (see Transactions::Commit for `stop` and `reachability`, which it calls there),
  // then writes each shard's batch and changelog checkpoint to its store (Shard::WriteBatch).
  // Meanwhile the shards may keep processing (into their next batch; outputs are kept by the
  // held transactions). Call only when !committing(); the shards, `stop` and `reachability`
  // must stay until FinishCommit.
  void StartCommit(const std::vector<ShardRef>& shards, rd_kafka_t* consumer,
                   const ConsumedOffsets& offsets, const std::atomic<bool>& stop,
                   Transactions::ReachabilityReport reachability);
  // A commit was started and not finished.
  [[nodiscard]] bool committing() const { return commit_ != nullptr; }
  // The started commit's thread has ended: FinishCommit will not wait.
  [[nodiscard]] bool commit_done() const {
    return commit_ != nullptr && commit_->done.load(std::memory_order_acquire);
  }
  // Waits for the started commit (committing() must be true) and completes it here: when it
  // committed, the shards' caches may evict what was written (Shard::OnBatchWritten) and the
  // records produced meanwhile go into the next transaction (Transactions::Resume). Nothing is
  // rolled back here: on kAbort or kProducerFailed the caller calls Rollback() and reopens its
  // shards (which drops their changes since the take too).
  [[nodiscard]] CommitOutcome FinishCommit();
  // Waits for the started commit's thread, if any, without completing it (before the shards go
  // away without a FinishCommit).
  void AwaitCommitThread();

  // Drops the open transaction (see Transactions::Rollback). The caller then discards its
  // shards, calls Rewind() and reopens them (restores after reading the committed offsets, see
  // ReadCommittedOffsets).
  [[nodiscard]] Result<void> Rollback(bool new_producer) {
    return transactions_.Rollback(new_producer);
  }
  // Seeks `consumer`'s current assignment back to its committed offsets. Returns the
  // assignment (empty when there is none), whose partition queues the caller attaches again.
  [[nodiscard]] Result<KafkaPartitionList> Rewind(rd_kafka_t* consumer);

 private:
  [[nodiscard]] Result<std::unique_ptr<Shard>> OpenShardOnce(int partition, CacheBounds cache,
                                                             EmissionSink& sink,
                                                             RestoreProgress& progress,
                                                             const std::atomic<bool>& stop);
  // A commit from StartCommit to FinishCommit.
  struct InFlight {
    std::vector<std::pair<Shard*, StoreBatch>> batches;
    KafkaPartitionList offsets;
    KafkaGroupMetadata group;
    Transactions::ReachabilityReport reachability;
    CommitOutcome result;
    std::atomic<bool> done{false};
    // Last: joined before the rest goes away.
    std::jthread thread;
  };
  // The commit thread's work: the transaction, then the store writes.
  void RunCommit(InFlight& commit, rd_kafka_t* consumer, const std::atomic<bool>& stop);

  const AppConfig& config_;
  Transactions transactions_;
  KafkaHandle restore_consumer_;
  std::unique_ptr<InFlight> commit_;
};

}  // namespace cx
