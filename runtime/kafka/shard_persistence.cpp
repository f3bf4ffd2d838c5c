#include "runtime/kafka/shard_persistence.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "runtime/kafka/damaged_store.h"
#include "runtime/kafka/kafka_admin.h"
#include "runtime/kafka/kafka_clients.h"
#include "runtime/shard/thread_name.h"

namespace cx {
namespace {

// How long a rollback's rewind waits for the committed offsets. A partition whose offsets a
// killed member's open transaction holds stays unstable until the broker aborts it: up to
// kafka.transaction_timeout (10 s) plus the broker's check interval for timed-out transactions
// (transaction.abort.timed.out.transaction.cleanup.interval.ms, 10 s), longer while brokers
// restart.
constexpr int kRewindTimeoutMs = 60000;
// How long a shard's open waits for a store still open by its previous owner, and how often it
// tries again.
constexpr auto kLockedStoreWait = std::chrono::seconds(60);
constexpr auto kLockedStoreRetryEvery = std::chrono::milliseconds(100);

}  // namespace

ShardPersistence::ShardPersistence(const AppConfig& config, std::string transactional_id,
                                   const Clock& clock)
    : config_(config), transactions_(config.kafka, std::move(transactional_id), clock) {}

Result<void> ShardPersistence::Open() {
  const KafkaConfig& kafka = config_.kafka;
  KafkaProperties restore_base = RestoreConsumerProperties(kafka);
  Result<KafkaHandle> restore_consumer =
      CreateKafkaClient(RD_KAFKA_CONSUMER, "the restore consumer",
                        {&restore_base, &kafka.properties, &kafka.consumer_properties}, {});
  if (!restore_consumer) {
    return restore_consumer.error();
  }
  restore_consumer_ = std::move(restore_consumer).value();
  return transactions_.Open();
}

Result<std::unique_ptr<Shard>> ShardPersistence::OpenShard(int partition, CacheBounds cache,
                                                           EmissionSink& sink,
                                                           RestoreProgress& progress,
                                                           const std::atomic<bool>& stop) {
  Result<std::unique_ptr<Shard>> shard = OpenShardOnce(partition, cache, sink, progress, stop);
  // A store still open by the shard's previous owner: another processing thread of this process
  // that lost the shard without having noticed yet (its session expired under load, and the
  // group handed the shard to this thread); it closes the store at its next poll.
  const auto give_up = std::chrono::steady_clock::now() + kLockedStoreWait;
  bool said = false;
  while (!shard && IsLockedStoreError(shard.error().message()) && !stop.load() &&
         std::chrono::steady_clock::now() < give_up) {
    if (!said) {
      spdlog::info("restore: shard {}: its store is still open by its previous owner; waiting",
                   partition);
      said = true;
    }
    std::this_thread::sleep_for(kLockedStoreRetryEvery);
    shard = OpenShardOnce(partition, cache, sink, progress, stop);
  }
  if (shard || !IsDamagedStoreError(shard.error().message())) {
    return shard;
  }
  // A corrupt local store is rebuilt from the changelog, once.
  std::string error;
  if (!SetAsideDamagedStore(ShardStatePath(config_.state.dir, partition), partition,
                            shard.error().message(), error)) {
    return Err(std::move(error));
  }
  return OpenShardOnce(partition, cache, sink, progress, stop);
}

Result<std::unique_ptr<Shard>> ShardPersistence::OpenShardOnce(int partition, CacheBounds cache,
                                                               EmissionSink& sink,
                                                               RestoreProgress& progress,
                                                               const std::atomic<bool>& stop) {
  StoreOptions options = config_.state.store;
  options.path = ShardStatePath(config_.state.dir, partition);
  Result<std::unique_ptr<StateStore>> store = StateStore::Open(options);
  if (!store) {
    return store.error();
  }
  if (Result<void> restored =
          RestoreFromChangelog(restore_consumer_.get(), config_.kafka.topics.changelog, partition,
                               **store, progress, stop);
      !restored) {
    return restored.error();
  }
  auto shard = std::make_unique<Shard>(partition, config_.rules, std::move(store).value(),
                                       cache.customers, sink, cache.bytes);
  if (Result<void> restored = shard->Restore(); !restored) {
    return restored.error();
  }
  return shard;
}

void ShardPersistence::StartCommit(const std::vector<ShardRef>& shards, rd_kafka_t* consumer,
                                   const ConsumedOffsets& offsets, const std::atomic<bool>& stop,
                                   Transactions::ReachabilityReport reachability) {
  auto commit = std::make_unique<InFlight>();
  const std::string& changelog = config_.kafka.topics.changelog;
  for (const auto& [partition_number, shard] : shards) {
    // Not a structured binding: the lambda below captures the partition number.
    const int partition = partition_number;
    StoreBatch batch;
    shard->TakeCommitBatch(batch);
    bool changed = false;
    batch.ForEach([&](StoreOp op, std::string_view key, std::string_view value) {
      if (op == StoreOp::kPutCustomer) {
        transactions_.Produce(changelog, partition, key, &value);
        changed = true;
      } else if (op == StoreOp::kDeleteCustomer) {
        transactions_.Produce(changelog, partition, key, nullptr);
        changed = true;
      } else if (op == StoreOp::kPutMeta && key == Shard::kMaxEventTimeKey && changed) {
        std::string meta_key = std::string(kChangelogMetaPrefix) + std::string(key);
        transactions_.Produce(changelog, partition, meta_key, &value);
      }
    });
    commit->batches.emplace_back(shard, std::move(batch));
  }
  commit->offsets.reset(
      rd_kafka_topic_partition_list_new(static_cast<int>(std::max<size_t>(1, offsets.size()))));
  for (const auto& [topic_partition, offset] : offsets) {
    rd_kafka_topic_partition_list_add(commit->offsets.get(), topic_partition.first.c_str(),
                                      topic_partition.second)
        ->offset = offset;
  }
  // The group generation the offsets were consumed in: a rebalance meanwhile fences them.
  if (config_.kafka.processing == ProcessingGuarantee::kExactlyOnce) {
    commit->group.reset(rd_kafka_consumer_group_metadata(consumer));
  }
  commit->reachability = std::move(reachability);
  transactions_.Hold();
  InFlight& started = *commit;
  commit_ = std::move(commit);
  started.thread = std::jthread([this, &started, consumer, &stop] {
    NameThisThread("cx-commit");
    RunCommit(started, consumer, stop);
  });
}

void ShardPersistence::RunCommit(InFlight& commit, rd_kafka_t* consumer,
                                 const std::atomic<bool>& stop) {
  CommitOutcome& result = commit.result;
  result.outcome = transactions_.Commit(consumer, commit.group.get(), commit.offsets.get(), stop,
                                        commit.reachability);
  if (result.outcome == Transactions::Outcome::kCommitted) {
    for (auto& [shard, batch] : commit.batches) {
      int64_t last = transactions_.ChangelogOffset(shard->partition());
      if (last >= 0) {
        PutChangelogCheckpoint(batch, last + 1);
      }
      if (Result<void> written = shard->WriteBatch(batch); !written) {
        result.stores = written.error().Prefixed("state store of shard " +
                                                 std::to_string(shard->partition()) + " failed");
        break;
      }
    }
  }
  commit.done.store(true, std::memory_order_release);
}

void ShardPersistence::AwaitCommitThread() {
  if (commit_ != nullptr && commit_->thread.joinable()) {
    commit_->thread.join();
  }
}

ShardPersistence::CommitOutcome ShardPersistence::FinishCommit() {
  AwaitCommitThread();
  std::unique_ptr<InFlight> commit = std::move(commit_);
  CommitOutcome result = std::move(commit->result);
  const bool committed = result.outcome == Transactions::Outcome::kCommitted;
  if (committed && result.stores) {
    for (auto& [shard, batch] : commit->batches) {
      shard->OnBatchWritten();
    }
  }
  if (committed) {
    result.next = transactions_.Resume(true);
  }
  return result;
}

Result<KafkaPartitionList> ShardPersistence::Rewind(rd_kafka_t* consumer) {
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(consumer, &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaPartitionList(rd_kafka_topic_partition_list_new(0));
  }
  KafkaPartitionList assigned(raw);
  if (assigned->cnt == 0) {
    return assigned;
  }
  if (Result<void> rewound = RewindToCommitted(consumer, assigned.get(), kRewindTimeoutMs);
      !rewound) {
    return rewound.error();
  }
  return assigned;
}

}  // namespace cx
