#include "runtime/kafka/transactions.h"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

namespace cx {
namespace {

// Timeouts of librdkafka's blocking transaction calls.
constexpr int kInitTransactionsTimeoutMs = 60000;
constexpr int kTransactionCallTimeoutMs = 10000;
constexpr int kAbortTimeoutMs = 30000;
// At least once: how long a commit waits for every output to be delivered.
constexpr int kFlushTimeoutMs = 30000;
// Retries of a retriable commit failure: first backoff, doubling up to the maximum; once
// stopping, retries end after the drain budget.
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
constexpr auto kMaxBackoff = std::chrono::milliseconds(2000);
constexpr auto kDrainBudget = std::chrono::seconds(5);

}  // namespace

Transactions::Transactions(const KafkaConfig& config, std::string transactional_id,
                           const Clock& clock)
    : config_(config),
      transactional_id_(std::move(transactional_id)),
      clock_(clock),
      exactly_once_(config.processing == ProcessingGuarantee::kExactlyOnce) {}

Result<void> Transactions::Open() {
  Result<std::unique_ptr<KafkaProducer>> producer =
      KafkaProducer::Create(config_, transactional_id_);
  if (!producer) {
    return producer.error();
  }
  producer_ = std::move(producer).value();
  if (exactly_once_) {
    KafkaError e(rd_kafka_init_transactions(producer_->handle(), kInitTransactionsTimeoutMs));
    if (e) {
      return Err(std::string("cannot initialise Kafka transactions: ") +
                 rd_kafka_error_string(e.get()));
    }
  }
  return Ok();
}

Result<void> Transactions::BeginIfNeeded() {
  if (!exactly_once_ || open_ || held_) {
    return Ok();
  }
  KafkaError e(rd_kafka_begin_transaction(producer_->handle()));
  if (e) {
    return Err(rd_kafka_error_string(e.get()));
  }
  open_ = true;
  return Ok();
}

void Transactions::Keep(const std::string& topic, int32_t partition, std::string_view key,
                        const std::string_view* value) {
  kept_.push_back({.topic = &topic,
                   .partition = partition,
                   .tombstone = value == nullptr,
                   .key_size = key.size(),
                   .value_size = value == nullptr ? 0 : value->size()});
  kept_bytes_.append(key);
  if (value != nullptr) {
    kept_bytes_.append(*value);
  }
}

void Transactions::DropKept() {
  held_ = false;
  kept_.clear();
  kept_bytes_.clear();
}

Result<void> Transactions::Resume(bool committed) {
  held_ = false;
  if (!committed) {
    return Ok();
  }
  open_ = false;
  dirty_ = false;
  if (kept_.empty()) {
    return Ok();
  }
  if (Result<void> begun = BeginIfNeeded(); !begun) {
    return begun;
  }
  std::string_view bytes(kept_bytes_);
  for (const KeptRecord& record : kept_) {
    std::string_view key = bytes.substr(0, record.key_size);
    std::string_view value = bytes.substr(record.key_size, record.value_size);
    bytes.remove_prefix(record.key_size + record.value_size);
    Produce(*record.topic, record.partition, key, record.tombstone ? nullptr : &value);
  }
  kept_.clear();
  kept_bytes_.clear();
  return Ok();
}

Transactions::Outcome Transactions::Commit(rd_kafka_t* consumer,
                                           const rd_kafka_consumer_group_metadata_t* group,
                                           rd_kafka_topic_partition_list_t* offsets,
                                           const std::atomic<bool>& stop,
                                           const ReachabilityReport& reachability) {
  return exactly_once_ ? CommitTransaction(group, offsets, stop, reachability)
                       : FlushAndCommitOffsets(consumer, offsets);
}

Transactions::Outcome Transactions::CommitTransaction(
    const rd_kafka_consumer_group_metadata_t* group, rd_kafka_topic_partition_list_t* offsets,
    const std::atomic<bool>& stop, const ReachabilityReport& reachability) {
  if (producer_->TakeDeliveryFailures() > 0) {
    // A record that could not even be enqueued is not in the transaction: committing it would
    // lose that output while its input counts as processed.
    spdlog::warn("kafka: some outputs could not be enqueued; processing them again");
    return Outcome::kAbort;
  }
  rd_kafka_t* producer = producer_->handle();
  auto backoff = std::chrono::duration_cast<std::chrono::milliseconds>(kFirstBackoff);
  MonotonicTime drain_deadline = clock_.Monotonic() + kDrainBudget;
  bool offsets_sent = offsets->cnt == 0;
  for (;;) {
    KafkaError e;
    if (!offsets_sent) {
      e.reset(rd_kafka_send_offsets_to_transaction(producer, offsets, group,
                                                   kTransactionCallTimeoutMs));
      offsets_sent = !e;
    }
    if (!e) {
      e.reset(rd_kafka_commit_transaction(producer, kTransactionCallTimeoutMs));
      if (!e) {
        reachability(true);
        return Outcome::kCommitted;
      }
    }
    if (rd_kafka_error_txn_requires_abort(e.get())) {
      spdlog::warn("kafka: transaction must be aborted: {}", rd_kafka_error_string(e.get()));
      return Outcome::kAbort;
    }
    if (!rd_kafka_error_is_retriable(e.get())) {
      spdlog::warn("kafka: transaction failed: {}", rd_kafka_error_string(e.get()));
      return Outcome::kProducerFailed;
    }
    reachability(false);
    if (stop.load() && clock_.Monotonic() >= drain_deadline) {
      spdlog::warn(
          "kafka: could not commit the last transaction before shutdown; its events "
          "will be processed again on restart");
      return Outcome::kGaveUp;
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(kMaxBackoff));
  }
}

Transactions::Outcome Transactions::FlushAndCommitOffsets(
    rd_kafka_t* consumer, rd_kafka_topic_partition_list_t* offsets) {
  bool flushed = producer_->Flush(kFlushTimeoutMs);
  if (!flushed || producer_->TakeDeliveryFailures() > 0) {
    spdlog::warn("kafka: some outputs were not delivered; processing them again");
    return Outcome::kAbort;
  }
  if (offsets->cnt > 0) {
    rd_kafka_resp_err_t err = rd_kafka_commit(consumer, offsets, 0);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::warn("kafka: offset commit failed ({}); events may be processed again",
                   rd_kafka_err2str(err));
    }
  }
  return Outcome::kCommitted;
}

bool Transactions::AbortOpen() {
  bool aborted = true;
  if (exactly_once_ && open_) {
    KafkaError e(rd_kafka_abort_transaction(producer_->handle(), kAbortTimeoutMs));
    if (e) {
      spdlog::warn("kafka: abort failed ({}); re-creating the producer",
                   rd_kafka_error_string(e.get()));
      aborted = false;
    } else {
      static_cast<void>(producer_->TakeDeliveryFailures());  // failures of the aborted transaction
    }
  }
  open_ = false;
  dirty_ = false;
  return aborted;
}

Result<void> Transactions::Rollback(bool new_producer) {
  DropKept();
  if (!new_producer && !AbortOpen()) {
    new_producer = true;
  }
  open_ = false;
  dirty_ = false;
  if (new_producer || !exactly_once_) {
    producer_.reset();
    return Open();
  }
  return Ok();
}

Result<void> Transactions::Abandon() {
  DropKept();
  if (AbortOpen()) {
    return Ok();
  }
  producer_.reset();
  return Open();
}

}  // namespace cx
