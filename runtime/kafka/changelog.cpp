#include "runtime/kafka/changelog.h"

#include <charconv>
#include <chrono>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "processors/engine.h"
#include "runtime/kafka/kafka_admin.h"
#include "runtime/shard/customer_lookup.h"
#include "state/customer_state_codec.h"

namespace cx {
namespace {

constexpr int kRecordsPerBatch = 5000;
constexpr int kPollMs = 200;
// One attempt at the changelog's end offsets; attempts repeat while the brokers are away.
constexpr int kMetadataTimeoutMs = 2000;

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
// the way. Retried every kRetryPause for at most kMetadataSettleFor: a changelog that stays
// unknown longer is gone (deleted), and that is the process's failure to report.
bool IsMetadataSettling(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
         err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
         err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
         err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION;
}
constexpr std::chrono::milliseconds kRetryPause{100};
constexpr std::chrono::seconds kMetadataSettleFor{30};
// How often a restore that waits for the brokers says so.
constexpr std::chrono::seconds kWaitReportEvery{10};

// The changelog partition's [low, high) watermarks. Waits while the brokers cannot be reached
// (a rebalance around a broker restart can hand out shards whose restore starts while the
// brokers are away) and while the topic's metadata settles; the reason on any other error, or
// when `stop` is raised.
Result<void> QueryChangelogEnd(rd_kafka_t* consumer, const std::string& topic, int32_t partition,
                               int64_t& low, int64_t& high, const std::atomic<bool>& stop) {
  const auto started = std::chrono::steady_clock::now();
  auto next_report = started + kWaitReportEvery;
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(consumer, topic.c_str(), partition,
                                                               &low, &high, kMetadataTimeoutMs);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Ok();
    }
    const auto now = std::chrono::steady_clock::now();
    const bool settling = IsMetadataSettling(err) && now - started < kMetadataSettleFor;
    if (!settling && !IsBrokerUnreachable(err)) {
      return Err("cannot read the end of changelog " + topic + "[" + std::to_string(partition) +
                 "]: " + rd_kafka_err2str(err));
    }
    if (stop.load()) {
      return Err("stopped during restore");
    }
    if (now >= next_report) {
      spdlog::warn(
          "restore: shard {}: cannot read the end of its changelog for {} s ({}); "
          "retrying",
          partition, std::chrono::duration_cast<std::chrono::seconds>(now - started).count(),
          rd_kafka_err2str(err));
      next_report = now + kWaitReportEvery;
    }
    std::this_thread::sleep_for(kRetryPause);
  }
}

// How long a restore waits at an open transaction before it says so (a handover's commit ends
// within a round trip or two; a killed owner's open transaction only when the brokers abort it).
constexpr std::chrono::seconds kOpenTransactionPatience{2};

// A restore stopped at `stable_end`, below `high`: logs that it waits for an open transaction
// and reads the high watermark again. False when there is nothing to wait for: the log was
// truncated below `high` (a leader change that lost its tail), which then becomes its end.
bool WaitingForOpenTransaction(rd_kafka_t* consumer, const std::string& topic, int32_t partition,
                               int64_t stable_end, int64_t& high) {
  int64_t low_now = 0;
  int64_t high_now = 0;
  if (rd_kafka_query_watermark_offsets(consumer, topic.c_str(), partition, &low_now, &high_now,
                                       kMetadataTimeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR &&
      high_now <= stable_end) {
    high = high_now;
    return false;
  }
  spdlog::info(
      "restore: shard {} waits for an open transaction on its changelog to end (at offset {}, "
      "end {})",
      partition, stable_end, high);
  return true;
}

}  // namespace

void PutChangelogCheckpoint(StoreBatch& batch, int64_t next_offset) {
  batch.PutMeta(kChangelogNextOffsetKey, std::to_string(next_offset));
}

Result<void> RestoreFromChangelog(rd_kafka_t* consumer, const std::string& topic, int32_t partition,
                                  StateStore& store, RestoreProgress& progress,
                                  const std::atomic<bool>& stop) {
  int64_t low = 0;
  int64_t high = 0;
  if (Result<void> queried = QueryChangelogEnd(consumer, topic, partition, low, high, stop);
      !queried) {
    return queried;
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
  if (rd_kafka_resp_err_t err = rd_kafka_assign(consumer, assignment.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Err(std::string("cannot assign the changelog: ") + rd_kafka_err2str(err));
  }
  RestoreBatch batch(store);
  int64_t next_offset = start;
  // The last end of log below `high` (-1: none since the last record), and when to say that
  // the restore waits for it.
  int64_t stable_end = -1;
  auto next_wait_report = std::chrono::steady_clock::now();
  Result<void> ok;
  while (ok) {
    if (stop.load()) {
      ok = Err("stopped during restore");
      break;
    }
    KafkaMessage message(rd_kafka_consumer_poll(consumer, kPollMs));
    if (!message) {
      if (stable_end >= 0 && std::chrono::steady_clock::now() >= next_wait_report) {
        if (!WaitingForOpenTransaction(consumer, topic, partition, stable_end, high)) {
          break;
        }
        next_wait_report = std::chrono::steady_clock::now() + kWaitReportEvery;
      }
      continue;
    }
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // The end of the read_committed log (its last stable offset). Below the high watermark
      // read at the start it stops at a transaction still open; its end (markers) moves the
      // log on and another end of log comes.
      if (message->offset >= high) {
        break;
      }
      if (stable_end < 0) {
        next_wait_report = std::chrono::steady_clock::now() + kOpenTransactionPatience;
      }
      stable_end = message->offset;
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::warn("restore: shard {}: {}", partition, rd_kafka_message_errstr(message.get()));
      continue;
    }
    std::string_view key(static_cast<const char*>(message->key), message->key_len);
    std::string_view value(static_cast<const char*>(message->payload), message->len);
    ok = batch.Apply(key, message->payload == nullptr ? nullptr : &value);
    next_offset = message->offset + 1;
    stable_end = -1;
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
