#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/config/kafka_config.h"
#include "runtime/kafka/kafka_handles.h"
#include "runtime/kafka/kafka_producer.h"
#include "runtime/shard/clock.h"
#include "schemas/result.h"

namespace cx {

// The outputs of a live processor between two commits: the producer, and with exactly-once its
// transaction (Kafka Streams' EOS v2: outputs, changelog records and the consumed offsets commit
// together). At least once, a commit is a flush followed by an offset commit.
//
// A commit may run on another thread while the owning thread keeps processing (Hold, then
// Commit there, then Resume or Rollback here): a transactional producer cannot begin the next
// transaction before commit_transaction returns, so while held, Produce keeps its records (in
// order) and Resume produces them into the next transaction. Everything else is called on the
// owning thread; while held, only Commit touches the producer.
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

  // Enqueues an output or changelog record (see KafkaProducer::Produce), or keeps it while
  // held (`topic` must then outlive the hold); marks the cycle dirty.
  void Produce(const std::string& topic, int32_t partition, std::string_view key,
               const std::string_view* value) {
    if (held_) {
      Keep(topic, partition, key, value);
      return;
    }
    producer_->Produce(topic, partition, key, value);
    dirty_ = true;
  }

  // What was produced so far is to be committed (by Commit, possibly on another thread); later
  // records wait here until Resume. No transaction begins while held.
  void Hold() { held_ = true; }
  [[nodiscard]] bool held() const { return held_; }
  // After the held commit ended (`committed`: kCommitted): ends the hold and, when it
  // committed, produces the records kept meanwhile into a new transaction. The error when that
  // transaction cannot begin (roll back with a new producer). After a failed commit the caller
  // calls Rollback() instead, which drops the kept records too.
  [[nodiscard]] Result<void> Resume(bool committed);

  // Called with false on each retriable commit failure and with true on success.
  using ReachabilityReport = std::function<void(bool reachable)>;

  // Commits what was produced (before Hold, when held) with the consumed `offsets`: exactly-once
  // in the transaction with `group` (the consumer's group metadata taken when the offsets
  // were), at least once committed by `consumer`. Exactly-once retries retriable errors with
  // backoff until it commits, or, once `stop` is raised, for at most kDrainBudget (then
  // kGaveUp). Touches only the producer (thread-safe for the held commit). Nothing is rolled
  // back here: on kAbort or kProducerFailed the caller calls Rollback(); on kCommitted, Resume().
  [[nodiscard]] Outcome Commit(rd_kafka_t* consumer,
                               const rd_kafka_consumer_group_metadata_t* group,
                               rd_kafka_topic_partition_list_t* offsets,
                               const std::atomic<bool>& stop,
                               const ReachabilityReport& reachability);

  // Drops what is open for a rollback: aborts the transaction, or with `new_producer` (or when
  // the abort fails, and always at least once, so undelivered records cannot arrive later)
  // re-creates the producer. The reason when no producer can be created.
  [[nodiscard]] Result<void> Rollback(bool new_producer);
  // Drops what is open before the consumer is replaced: aborts the open transaction and
  // re-creates the producer only when the abort fails.
  [[nodiscard]] Result<void> Abandon();

  // Serves delivery reports without blocking (not while held: the commit serves them).
  void Poll() {
    if (!held_) producer_->Poll();
  }
  // Highest changelog offset delivered to `partition`, or -1.
  [[nodiscard]] int64_t ChangelogOffset(int32_t partition) const {
    return producer_->ChangelogOffset(partition);
  }
  // Something was produced (or kept), or a transaction is open, since the last commit or
  // rollback.
  [[nodiscard]] bool pending() const { return dirty_ || open_ || !kept_.empty(); }

 private:
  // A record produced while held: its topic, partition, and key and value in kept_bytes_.
  struct KeptRecord {
    const std::string* topic;
    int32_t partition;
    bool tombstone;
    size_t key_size;
    size_t value_size;
  };
  void Keep(const std::string& topic, int32_t partition, std::string_view key,
            const std::string_view* value);
  void DropKept();
  [[nodiscard]] Outcome CommitTransaction(const rd_kafka_consumer_group_metadata_t* group,
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
  bool held_ = false;
  std::vector<KeptRecord> kept_;
  std::string kept_bytes_;
};

}  // namespace cx
