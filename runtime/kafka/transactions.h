#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "runtime/config/kafka_config.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/kafka/kafka_producer.h"
#include "runtime/shard/clock.h"
#include "schemas/result.h"

namespace cx {

// The outputs of a live processor between two commits: the producer, and with exactly-once its
// transaction (Kafka Streams' EOS v2: outputs, changelog records and the consumed offsets commit
// together). At least once, a commit is a flush followed by an offset commit. Single-threaded.
class Transactions {
 public:
  // How a commit ended.
  enum class Outcome {
    kCommitted,
    // Rolled back: the transaction must be aborted, an output could not be enqueued into it, or
    // (at least once) outputs were not delivered. The producer is still usable (Rollback(false)).
    kAbort,
    // Rolled back: the producer is unusable (Rollback(true) re-creates it).
    kProducerFailed,
    // The brokers stayed unreachable while stopping; nothing more can be committed.
    kGaveUp,
  };

  Transactions(const KafkaConfig& config, std::string transactional_id, const Clock& clock);

  // Creates the producer and, with exactly-once, initialises transactions (fencing an earlier
  // producer with the same transactional id). The one-line reason when it cannot.
  [[nodiscard]] Result<void> Open();

  // Begins a transaction when none is open (exactly-once only). An error when that failed; the
  // caller must then roll back with a new producer.
  [[nodiscard]] Result<void> BeginIfNeeded();

  // Enqueues an output or changelog record (see KafkaProducer::Produce); marks the cycle dirty.
  void Produce(const std::string& topic, int32_t partition, std::string_view key,
               const std::string_view* value) {
    producer_->Produce(topic, partition, key, value);
    dirty_ = true;
  }

  // Called with false on each retriable commit failure and with true on success.
  using ReachabilityReport = std::function<void(bool reachable)>;

  // Commits what was produced with the consumed `offsets` of `consumer`'s group. Exactly-once
  // retries retriable errors with backoff until it commits, or, once `stop` is raised, for at
  // most kDrainBudget (then kGaveUp). Nothing is rolled back here: on kAbort or
  // kProducerFailed the caller calls Rollback().
  [[nodiscard]] Outcome Commit(rd_kafka_t* consumer, rd_kafka_topic_partition_list_t* offsets,
                               const std::atomic<bool>& stop,
                               const ReachabilityReport& reachability);

  // Drops what is open for a rollback: aborts the transaction, or with `new_producer` (or when
  // the abort fails, and always at least once, so undelivered records cannot arrive later)
  // re-creates the producer. The reason when no producer can be created.
  [[nodiscard]] Result<void> Rollback(bool new_producer);
  // Drops what is open before the consumer is replaced: aborts the open transaction and
  // re-creates the producer only when the abort fails.
  [[nodiscard]] Result<void> Abandon();

  // Serves delivery reports without blocking.
  void Poll() { producer_->Poll(); }
  // Highest changelog offset delivered to `partition`, or -1.
  [[nodiscard]] int64_t ChangelogOffset(int32_t partition) const {
    return producer_->ChangelogOffset(partition);
  }
  // Something was produced, or a transaction is open, since the last commit or rollback.
  [[nodiscard]] bool pending() const { return dirty_ || open_; }

 private:
  [[nodiscard]] Outcome CommitTransaction(rd_kafka_t* consumer,
                                          rd_kafka_topic_partition_list_t* offsets,
                                          const std::atomic<bool>& stop,
                                          const ReachabilityReport& reachability);
  [[nodiscard]] Outcome FlushAndCommitOffsets(rd_kafka_t* consumer,
                                              rd_kafka_topic_partition_list_t* offsets);
  // Aborts the open transaction (exactly-once); false when the abort failed.
  [[nodiscard]] bool AbortOpen();

  const KafkaConfig& config_;
  std::string transactional_id_;
  const Clock& clock_;
  bool exactly_once_;
  std::unique_ptr<KafkaProducer> producer_;
  bool open_ = false;
  bool dirty_ = false;
};

}  // namespace cx
