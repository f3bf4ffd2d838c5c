#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
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

// Next offset to commit per consumed input (topic, partition).
using ConsumedOffsets = std::map<std::pair<std::string, int32_t>, int64_t>;

// The durable side of a live processor's shards (DESIGN.md, "State and exactly-once"): restoring
// a shard (its RocksDB store brought up to the end of its changelog partition, then its
// checkpoint and timers), committing (each shard's changes as changelog records, the outputs and
// the consumed offsets in one transaction, then each store's batch with its changelog
// checkpoint) and rolling back (the transaction dropped, the consumer rewound to the committed
// offsets; the caller reopens its shards). Owns the Transactions and the group-less restore
// consumer. Single-threaded: the processing thread.
class ShardPersistence {
 public:
  ShardPersistence(const AppConfig& config, std::string transactional_id, const Clock& clock);

  // Creates the restore consumer and opens the transactions (Transactions::Open).
  [[nodiscard]] Result<void> Open();

  // Opens shard `partition` from its store under state.dir, restored from the changelog first
  // (progress in `progress`; `stop` ends a restore early, as an error). Its outputs go to `sink`.
  // A store RocksDB reports corrupt is set aside (damaged_store.h) and rebuilt from the
  // changelog, once.
  [[nodiscard]] Result<std::unique_ptr<Shard>> OpenShard(int partition, size_t cache_customers,
                                                         EmissionSink& sink,
                                                         RestoreProgress& progress,
                                                         const std::atomic<bool>& stop);

  // The producer side: outputs go into the open transaction.
  [[nodiscard]] Transactions& transactions() { return transactions_; }

  // One shard to commit: its partition number and the shard.
  using ShardRef = std::pair<int, Shard*>;
  // How a Commit ended: as Transactions::Commit, or (when `committed` but a store write then
  // failed) with the store's error.
  struct CommitOutcome {
    Transactions::Outcome outcome = Transactions::Outcome::kCommitted;
    Result<void> stores;
  };
  // Commits every change of `shards` since the last commit with the consumed `offsets` of
  // `consumer`'s group (see Transactions::Commit for `stop` and `reachability`), then writes
  // each shard's batch and changelog checkpoint to its store. Nothing is rolled back here: on
  // kAbort or kProducerFailed the caller calls Rollback() and reopens its shards.
  [[nodiscard]] CommitOutcome Commit(const std::vector<ShardRef>& shards, rd_kafka_t* consumer,
                                     const ConsumedOffsets& offsets, const std::atomic<bool>& stop,
                                     const Transactions::ReachabilityReport& reachability);

  // Drops the open transaction (see Transactions::Rollback). The caller then discards its
  // shards, reopens them and calls Rewind().
  [[nodiscard]] Result<void> Rollback(bool new_producer) {
    return transactions_.Rollback(new_producer);
  }
  // Seeks `consumer`'s current assignment back to its committed offsets. Returns the
  // assignment (empty when there is none), whose partition queues the caller attaches again.
  [[nodiscard]] Result<KafkaPartitionList> Rewind(rd_kafka_t* consumer);

 private:
  [[nodiscard]] Result<std::unique_ptr<Shard>> OpenShardOnce(int partition, size_t cache_customers,
                                                             EmissionSink& sink,
                                                             RestoreProgress& progress,
                                                             const std::atomic<bool>& stop);
  const AppConfig& config_;
  Transactions transactions_;
  KafkaHandle restore_consumer_;
};

}  // namespace cx
