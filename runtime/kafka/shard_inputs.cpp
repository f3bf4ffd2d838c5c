#include "runtime/kafka/shard_inputs.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace cx {
namespace {

// Records pulled from one partition queue at a time.
constexpr size_t kFillBatch = 1000;

}  // namespace

ShardInputs::~ShardInputs() {
  // A pause outlives the assignment, and resuming a partition that is not paused would drop the
  // records librdkafka holds for it (the version barrier of the resume) without fetching them
  // again: so only the inputs this object paused are resumed, while their consumer still exists
  // (the processor drops its shards before it closes or replaces the consumer).
  for (Input& input : inputs_) {
    if (input.paused) SetPaused(input, false);
  }
}

void ShardInputs::Attach(size_t input, rd_kafka_queue_t* queue, rd_kafka_t* consumer,
                         std::string topic, int32_t partition) {
  rd_kafka_queue_forward(queue, nullptr);
  Input& in = inputs_[input];
  if (in.paused) {
    SetPaused(in, false);
    in.paused = false;
  }
  in.source.reset(queue);
  in.consumer = consumer;
  in.topic = std::move(topic);
  in.partition = partition;
  in.arrivals = ArrivalTimes();
}

void ShardInputs::ObserveHighWatermark(Input& input, MonotonicTime now) {
  int64_t low = 0;
  int64_t high = -1;
  if (input.consumer != nullptr &&
      rd_kafka_get_watermark_offsets(input.consumer, input.topic.c_str(), input.partition, &low,
                                     &high) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    input.arrivals.Observe(high, now);
  }
}

bool ShardInputs::SetPaused(Input& input, bool paused) {
  if (input.consumer == nullptr) return false;
  KafkaPartitionList list(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(list.get(), input.topic.c_str(), input.partition);
  const rd_kafka_resp_err_t err = paused ? rd_kafka_pause_partitions(input.consumer, list.get())
                                         : rd_kafka_resume_partitions(input.consumer, list.get());
  const rd_kafka_resp_err_t partition_err = list->elems[0].err;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR || partition_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::debug("kafka: cannot {} an input partition: {}", paused ? "pause" : "resume",
                  rd_kafka_err2str(err != RD_KAFKA_RESP_ERR_NO_ERROR ? err : partition_err));
    return false;
  }
  spdlog::debug("kafka: {} {} [{}] ({} bytes of its records queued)", paused ? "paused" : "resumed",
                input.topic, input.partition, input.bytes);
  return true;
}

InputRecord ShardInputs::CopyRecord(const rd_kafka_message_t& message) {
  InputRecord record;
  record.offset = message.offset;
  const size_t key_size = message.key == nullptr ? 0 : message.key_len;
  const size_t value_size = message.payload == nullptr ? 0 : message.len;
  record.has_key = message.key != nullptr;
  record.key_size = static_cast<uint32_t>(key_size);
  record.bytes.reserve(key_size + value_size);
  record.bytes.append(static_cast<const char*>(message.key), key_size);
  record.bytes.append(static_cast<const char*>(message.payload), value_size);
  return record;
}

void ShardInputs::Enqueue(size_t input, KafkaMessage message) {
  Input& in = inputs_[input];
  if (in.topic.empty() && message->rkt != nullptr) {
    in.topic = rd_kafka_topic_name(message->rkt);
    in.partition = message->partition;
  }
  std::deque<Queued>& records = in.records;
  auto pos = std::upper_bound(
      records.begin(), records.end(), message->offset,
      [](int64_t offset, const Queued& queued) { return offset < queued.record.offset; });
  in.at_end = false;
  const int64_t timestamp_ms = rd_kafka_message_timestamp(message.get(), nullptr);
  // Fetched before the partition queue was detached, right after the assignment: a backlog.
  InputRecord record = CopyRecord(*message);
  in.bytes += record.bytes.size();
  records.insert(pos, Queued{std::move(record), MonotonicTime{}, timestamp_ms});
}

size_t ShardInputs::queued_bytes() const {
  size_t bytes = 0;
  for (const Input& input : inputs_) bytes += input.bytes;
  return bytes;
}

bool ShardInputs::Fill(bool& got_record, MonotonicTime now) {
  bool pulled = false;
  rd_kafka_message_t* batch[kFillBatch];
  for (Input& input : inputs_) {
    if (!input.source) continue;
    if (observe_arrivals_) ObserveHighWatermark(input, now);
    // Everything librdkafka holds, even past queue_bytes_: what it holds when the partition is
    // paused is dropped and fetched again after the resume.
    for (;;) {
      const ssize_t n = rd_kafka_consume_batch_queue(input.source.get(), 0, batch, kFillBatch);
      for (ssize_t i = 0; i < n; ++i) {
        KafkaMessage message(batch[i]);
        pulled = true;
        input.answered = true;
        if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          if (!input.at_end) {
            input.at_end_since = now;
          }
          input.at_end = true;
        } else if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          spdlog::debug("kafka: consumer: {}", rd_kafka_err2str(message->err));
        } else {
          got_record = true;
          input.at_end = false;
          const MonotonicTime arrived =
              observe_arrivals_ ? input.arrivals.KnownSince(message->offset, now) : MonotonicTime{};
          const int64_t timestamp_ms = rd_kafka_message_timestamp(message.get(), nullptr);
          InputRecord record = CopyRecord(*message);
          input.bytes += record.bytes.size();
          input.records.push_back(Queued{std::move(record), arrived, timestamp_ms});
        }
      }
      if (n < static_cast<ssize_t>(kFillBatch)) break;
    }
    if (!input.paused && input.bytes >= queue_bytes_) {
      input.paused = SetPaused(input, true);
    } else if (input.paused && input.bytes < queue_bytes_ / 2) {
      input.paused = !SetPaused(input, false);
    }
  }
  return pulled;
}

int ShardInputs::Next(int64_t implausible_after_ms, MonotonicTime now) {
  std::array<InputHead, kInputs> heads;
  for (size_t i = 0; i < kInputs; ++i) {
    const Input& input = inputs_[i];
    heads[i].has_record = !input.records.empty();
    heads[i].timestamp_ms = heads[i].has_record ? input.records.front().timestamp_ms : 0;
    heads[i].arrived = heads[i].has_record ? input.records.front().arrived : MonotonicTime{};
    heads[i].at_end = input.at_end;
    heads[i].at_end_since = input.at_end_since;
    heads[i].answered = input.answered;
  }
  return merger_.Next(heads, implausible_after_ms, now);
}

InputRecord ShardInputs::Pop(int input) {
  Input& in = inputs_[static_cast<size_t>(input)];
  InputRecord record = std::move(in.records.front().record);
  in.records.pop_front();
  in.bytes -= record.bytes.size();
  return record;
}

}  // namespace cx
