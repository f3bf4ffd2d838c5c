#include "runtime/kafka/changelog.h"

#include <charconv>
#include <chrono>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "processors/engine.h"
#include "runtime/shard/customer_lookup.h"
#include "state/customer_state_codec.h"

namespace cx {
namespace {

constexpr int kRecordsPerBatch = 5000;
constexpr int kPollMs = 200;
constexpr int kMetadataTimeoutMs = 10000;

int64_t ReadCheckpoint(StateStore& store) {
  std::string value;
  if (!store.GetMeta(kChangelogNextOffsetKey, value).IsOk()) {
    return RD_KAFKA_OFFSET_BEGINNING;
  }
  int64_t offset = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), offset);
  if (ec != std::errc() || end != value.data() + value.size()) {
    return RD_KAFKA_OFFSET_BEGINNING;
  }
  return offset;
}

// Applies changelog records to a store batch, keeping the timers CF in step with the states.
class RestoreBatch {
 public:
  explicit RestoreBatch(StateStore& store) : store_(store) {}

  [[nodiscard]] Result<void> Apply(std::string_view key, const std::string_view* value) {
    if (key.substr(0, kChangelogMetaPrefix.size()) == kChangelogMetaPrefix) {
      if (value != nullptr) {
        batch_.PutMeta(key.substr(kChangelogMetaPrefix.size()), *value);
      }
      return Ok();
    }
    Result<EventTime> old_deadline = PreviousDeadline(key);
    if (!old_deadline) {
      return old_deadline.error();
    }
    if (*old_deadline != EventTime::Max()) {
      batch_.DeleteTimer(*old_deadline, key);
    }
    EventTime new_deadline = EventTime::Max();
    if (value == nullptr) {
      batch_.DeleteCustomer(key);
    } else {
      CustomerState state;
      if (!DecodeCustomerState(*value, state)) {
        return Err("the changelog holds a state that does not decode: " +
                   UndecodableStateReason(*value));
      }
      new_deadline = NextDeadline(state);
      if (new_deadline != EventTime::Max()) {
        batch_.PutTimer(new_deadline, key);
      }
      batch_.PutCustomer(key, *value);
    }
    deadlines_[std::string(key)] = new_deadline;
    ++count_;
    return Ok();
  }

  [[nodiscard]] Result<void> Commit(int64_t next_offset) {
    PutChangelogCheckpoint(batch_, next_offset);
    StoreResult result = store_.Commit(batch_);
    batch_.Clear();
    deadlines_.clear();
    count_ = 0;
    if (!result.IsOk()) {
      return Err(result.message());
    }
    return Ok();
  }
  [[nodiscard]] int count() const { return count_; }

 private:
  // The customer's deadline before this record: from an earlier record of this batch, else from
  // the stored state (Max when none).
  [[nodiscard]] Result<EventTime> PreviousDeadline(std::string_view key) {
    auto it = deadlines_.find(std::string(key));
    if (it != deadlines_.end()) {
      return it->second;
    }
    CustomerState state;
    Result<CustomerLookup> found = ReadStoredCustomer(store_, key, state);
    if (!found) {
      return found.error();
    }
    return *found == CustomerLookup::kFound ? NextDeadline(state) : EventTime::Max();
  }

  StateStore& store_;
  StoreBatch batch_;
  std::unordered_map<std::string, EventTime> deadlines_;
  int count_ = 0;
};

// Errors of a topic or partition the cluster has just created: its metadata or leader is on
// the way. Retried every kMetadataSettlePause, at most kMetadataSettleAttempts times (30 s).
bool IsMetadataSettling(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
         err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
         err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION;
}
constexpr std::chrono::milliseconds kMetadataSettlePause{100};
constexpr int kMetadataSettleAttempts = 300;

}  // namespace

void PutChangelogCheckpoint(StoreBatch& batch, int64_t next_offset) {
  batch.PutMeta(kChangelogNextOffsetKey, std::to_string(next_offset));
}

Result<void> RestoreFromChangelog(rd_kafka_t* consumer, const std::string& topic, int32_t partition,
                                  StateStore& store, RestoreProgress& progress,
                                  const std::atomic<bool>& stop) {
  int64_t low = 0;
  int64_t high = 0;
  rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(consumer, topic.c_str(), partition,
                                                             &low, &high, kMetadataTimeoutMs);
  // A changelog topic created a moment ago (by this process, or by another processing thread
  // of it) may not be in this client's metadata yet, or have no leader yet: wait for it.
  for (int attempt = 0; IsMetadataSettling(err) && attempt < kMetadataSettleAttempts && !stop;
       ++attempt) {
    std::this_thread::sleep_for(kMetadataSettlePause);
    err = rd_kafka_query_watermark_offsets(consumer, topic.c_str(), partition, &low, &high,
                                           kMetadataTimeoutMs);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err("cannot read the end of changelog " + topic + "[" + std::to_string(partition) +
               "]: " + rd_kafka_err2str(err));
  }
  int64_t start = ReadCheckpoint(store);
  if (start == RD_KAFKA_OFFSET_BEGINNING || start < low) {
    start = low;
  }
  progress.start_offset = start;
  progress.end_offset = high;
  progress.restored_records = 0;
  if (start >= high) {
    return Ok();
  }
  spdlog::info("restore: shard {} replays changelog offsets {}..{}", partition, start, high);
  KafkaPartitionList assignment(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset = start;
  if ((err = rd_kafka_assign(consumer, assignment.get())) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err(std::string("cannot assign the changelog: ") + rd_kafka_err2str(err));
  }
  RestoreBatch batch(store);
  int64_t next_offset = start;
  Result<void> ok;
  while (ok) {
    if (stop.load()) {
      ok = Err("stopped during restore");
      break;
    }
    KafkaMessage message(rd_kafka_consumer_poll(consumer, kPollMs));
    if (!message) {
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      break;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::warn("restore: shard {}: {}", partition, rd_kafka_message_errstr(message.get()));
      continue;
    }
    std::string_view key(static_cast<const char*>(message->key), message->key_len);
    std::string_view value(static_cast<const char*>(message->payload), message->len);
    ok = batch.Apply(key, message->payload == nullptr ? nullptr : &value);
    next_offset = message->offset + 1;
    ++progress.restored_records;
    if (ok && batch.count() >= kRecordsPerBatch) {
      ok = batch.Commit(next_offset);
    }
  }
  if (ok) {
    ok = batch.Commit(next_offset);
  }
  rd_kafka_assign(consumer, nullptr);
  if (ok) {
    spdlog::info("restore: shard {} restored {} records", partition,
                 progress.restored_records.load());
  }
  return ok;
}

}  // namespace cx
